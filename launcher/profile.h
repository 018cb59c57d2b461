/* profile.h — profile files (profile.c): found, read and checked here, their
 * option lines handed to the caller (options.c) to apply. */
#ifndef NETBOX_PROFILE_H
#define NETBOX_PROFILE_H

/* Bytes of a profile line, its newline included: a longer line is an
 * error (the reader's buffer; outputs.c never writes one). */
#define PROFILE_MAX_LINE 4096

struct config;

/* What each option line of a profile is handed to: @name without its
 * dashes, @arg (~, ${HOME} and ${CWD} expanded) or NULL, @origin
 * "FILE:LINE".  @arg and @origin live only during the call; util_context
 * names the line for die(). */
typedef void (*profile_option_fn)(struct config *cfg, const char *name, const char *arg,
				  const char *origin);

/* Read the profiles for this run: --profile ones, else the program's
 * (NAME.profile), else "default"; nothing with --noprofile.  Each option
 * line goes to @apply, in order; include and mkdir are done here. */
void profile_load_all(struct config *cfg, profile_option_fn apply);

/* The directories profiles are looked up in, in order (NULL-terminated,
 * missing ones included); the first is the user's own. */
char **profile_dirs(const struct config *cfg);

/* After paths_plan(): profiles read from a writable tree are read-only
 * inside, with a warning; a --profile path through a planted link dies. */
void profile_plan(struct config *cfg);

/* Print the names of the profiles found, one per line, sorted. */
void profile_list(const struct config *cfg);

#endif
