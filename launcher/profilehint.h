/* profilehint.h — what a run with the default profile says at its first
 * denial (profilehint.c): that it allows no network, and which shipped
 * profile the command looks like it needs. */
#ifndef NETBOX_PROFILEHINT_H
#define NETBOX_PROFILEHINT_H

#include <stdbool.h>
#include <stddef.h>

struct config;

/* The shipped profile (policy_suggest_shipped()) of the tool @argv runs
 * through a shell: `sh -c 'npm install'`, `bash -ec 'cd app && yarn'`
 * give "npm", "yarn" in @out (@len bytes).  The program itself, or the
 * first word of each command of the -c script (past VAR=value, exec, env,
 * command, time, nohup), by its base name.  False if none: not a shell,
 * no -c, no tool netbox has a profile for. */
bool profilehint_tool(char *const *argv, char *out, size_t len);

/* The hint for the supervisor to say before the first denial
 * (report_set_first_denial_hint()) when the run has no network rule
 * because the default profile was read (no --profile, --noprofile,
 * --allow, --deny or --learn, and no profile of the program's own):
 * allocated, or NULL when there is nothing to say. */
char *profilehint_text(const struct config *cfg);

#endif
