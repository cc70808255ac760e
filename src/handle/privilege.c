#include "handle/privilege.h"

#include "handle/live_process.h"
#include "handle/options.h"

#include <pwd.h>
#include <stdio.h>

/* nobody's ids where the passwd file has no nobody: Linux's overflow ids. */
#define FALLBACK_NOBODY 65534

/* The dump mode %d for a plain dump: SUID_DUMP_USER. */
#define DUMP_MODE_PLAIN 1

void privilege_decide(const struct crash *crash, int dump_mode, const struct live_process *process,
		      struct privilege *ret)
{
	static const char *const credential_words[] = {
		[LIVE_CREDENTIALS_UNKNOWN] = "its ids cannot be read in /proc",
		[LIVE_CREDENTIALS_CHANGED] = "its real, effective, saved and file-system ids differ",
		[LIVE_CREDENTIALS_SECURE] = "it was run with privileges (AT_SECURE)",
	};
	const struct passwd *nobody = getpwnam("nobody");
	uid_t nobody_uid = nobody ? nobody->pw_uid : FALLBACK_NOBODY;
	gid_t nobody_gid = nobody ? nobody->pw_gid : FALLBACK_NOBODY;

	*ret = (struct privilege){
		.user_may_read = true,
		.analysis_uid = crash->uid,
		.analysis_gid = crash->gid,
		.keeper_uid = nobody_uid,
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
	ret->analysis_uid = nobody_uid;
	ret->analysis_gid = nobody_gid;
}
