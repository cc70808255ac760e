#include "handle/privilege.h"

#include "handle/live_process.h"
#include "handle/options.h"

#include <pwd.h>
#include <stdio.h>

/* nobody's ids where the passwd file has no nobody: Linux's overflow ids. */
#define FALLBACK_NOBODY 65534

/* The highest UID of a system account (Debian's and Fedora's SYS_UID_MAX):
 * an account named like pycore's above it is someone's login. */
#define SYSTEM_UID_MAX 999

/* The dump mode %d for a plain dump: SUID_DUMP_USER. */
#define DUMP_MODE_PLAIN 1

/* pycore's own account (the commands scripts/install-handler prints
 * create it), when it is a system account; else nobody, whom other daemons run as too and
 * who could then signal the analysis children. */
static void analysis_account(uid_t *uid, gid_t *gid)
{
	const struct passwd *account = getpwnam(PRIVILEGE_ACCOUNT);

	if (account && account->pw_uid != 0 && account->pw_uid <= SYSTEM_UID_MAX &&
	    account->pw_gid != 0) {
		*uid = account->pw_uid;
		*gid = account->pw_gid;
		return;
	}
	account = getpwnam("nobody");
	*uid = account ? account->pw_uid : FALLBACK_NOBODY;
	*gid = account ? account->pw_gid : FALLBACK_NOBODY;
}

void privilege_decide(const struct crash *crash, int dump_mode, const struct live_process *process,
		      struct privilege *ret)
{
	static const char *const credential_words[] = {
		[LIVE_CREDENTIALS_UNKNOWN] = "its ids cannot be read in /proc",
		[LIVE_CREDENTIALS_CHANGED] = "its real, effective, saved and file-system ids differ",
		[LIVE_CREDENTIALS_SECURE] = "it was run with privileges (AT_SECURE)",
	};
	uid_t account_uid;
	gid_t account_gid;

	analysis_account(&account_uid, &account_gid);
	*ret = (struct privilege){
		.user_may_read = true,
		.analysis_uid = crash->uid,
		.analysis_gid = crash->gid,
		.keeper_uid = account_uid,
	};
	/* Root's crash is root's already: nothing to keep from its user. */
	if (crash->uid == 0)
		return;
	if (dump_mode < 0)
		snprintf(ret->why, sizeof(ret->why), "the kernel's dump mode (%%d) is not given");
	else if (dump_mode != DUMP_MODE_PLAIN)
		snprintf(ret->why, sizeof(ret->why), "the kernel's dump mode is %d, not a plain dump",
			 dump_mode);
	else if (process->exe_fd >= 0 && process->credentials != LIVE_CREDENTIALS_PLAIN)
		snprintf(ret->why, sizeof(ret->why), "%s", credential_words[process->credentials]);
	else
		return;
	ret->user_may_read = false;
	ret->analysis_uid = account_uid;
	ret->analysis_gid = account_gid;
}
