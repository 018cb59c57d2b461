/* test_profilehint.c — unit tests of launcher/profilehint.c: which tool a
 * command runs through a shell, and when a run says that the default
 * profile allows no network.  TAP. */
#include <stdio.h>
#include <string.h>

#include "launcher/config.h"
#include "launcher/profilehint.h"
#include "tap.h"
#include "util.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

/* The tool profilehint_tool() finds, "(none)" for none. */
static const char *tool(char *const *argv)
{
	static char out[64];

	return profilehint_tool(argv, out, sizeof(out)) ? out : "(none)";
}

static void test_tool(void)
{
	is_str(tool(ARGV("sh", "-c", "npm install")), "npm", "sh -c 'npm install'");
	is_str(tool(ARGV("/bin/bash", "-c", "  yarn")), "yarn", "a shell by its path, blanks first");
	is_str(tool(ARGV("bash", "-ec", "pip install -r requirements.txt")), "pip", "-c in a cluster");
	is_str(tool(ARGV("bash", "-e", "-o", "pipefail", "-c", "cargo build")), "cargo", "-o takes a word");
	is_str(tool(ARGV("bash", "--norc", "-c", "go mod download", "name")), "go", "a long option first");
	is_str(tool(ARGV("sh", "-c", "cd app && pnpm install")), "pnpm", "the first word of a later command");
	is_str(tool(ARGV("sh", "-c", "CI=1 NODE_ENV=test exec ./node_modules/.bin/npx x")), "npx",
	       "past assignments and exec, by its base name");
	is_str(tool(ARGV("sh", "-c", "env -i PATH=/bin gem install rails")), "gem", "past env and its options");
	is_str(tool(ARGV("sh", "-c", "echo npm; true")), "(none)", "an argument is not a command");
	is_str(tool(ARGV("sh", "-c", "echo 'a; npm install'")), "(none)", "quotes are skipped whole");
	is_str(tool(ARGV("sh", "-c", "getent hosts registry.npmjs.org")), "(none)", "a command without a profile");
	is_str(tool(ARGV("sh", "-c", "npmx")), "(none)", "whole words only");
	is_str(tool(ARGV("sh", "script.sh", "npm")), "(none)", "no -c: a script file");
	is_str(tool(ARGV("sh", "-c")), "(none)", "-c without a script");
	is_str(tool(ARGV("bash")), "(none)", "an interactive shell");
	is_str(tool(ARGV("python3", "-c", "npm")), "(none)", "not a shell");
	is_str(tool(ARGV("/usr/bin/yarn", "install")), "yarn", "the program itself");
	is_str(tool(ARGV("sh", "-c", "'unterminated")), "(none)", "an unterminated quote");
}

static void test_text(void)
{
	char *read_default[] = { "/usr/share/netbox/profiles/default.profile" };
	char *read_own[] = { "/home/u/.config/netbox/tool.profile" };
	struct config cfg = {
		.argv = ARGV("sh", "-c", "npm install"),
		.net = NET_FILTER,
		.profiles_read = read_default,
		.nprofiles_read = 1,
	};
	char *t = profilehint_text(&cfg);

	is_str(t, "the default profile allows no network: add --allow HOST, or run `netbox npm ...` / "
		  "--profile npm for npm's",
	       "sh -c 'npm install' with the default profile: names npm's");
	free(t);
	cfg.argv = ARGV("bash");
	t = profilehint_text(&cfg);
	is_str(t, "the default profile allows no network: add --allow HOST, or --profile NAME for a "
		  "tool's (netbox --list-profiles)",
	       "bash: the generic hint");
	free(t);
	cfg.nprofiles_read = 0;
	t = profilehint_text(&cfg);
	ok(t != NULL, "no profile found at all: the hint too");
	free(t);

	cfg.nprofiles_read = 1;
	cfg.profiles_read = read_own;
	ok(!profilehint_text(&cfg), "the program's own profile, without rules: no hint");
	cfg.profiles_read = read_default;
	cfg.nrules = 1;
	ok(!profilehint_text(&cfg), "a rule (--allow, --deny, --learn): no hint");
	cfg.nrules = 0;
	cfg.nprofile_args = 1;
	ok(!profilehint_text(&cfg), "--profile: no hint");
	cfg.nprofile_args = 0;
	cfg.noprofile = true;
	ok(!profilehint_text(&cfg), "--noprofile: no hint");
	cfg.noprofile = false;
	cfg.net = NET_NONE;
	ok(!profilehint_text(&cfg), "--net=none: no hint");
}

int main(void)
{
	test_tool();
	test_text();
	return tap_done();
}
