/*
 * banned.h: functions that invite overflows or hidden global state
 * (git banned.h, curl CODE_STYLE). Included last by every lib/ and cmd/ file
 * after the system headers; use snprintf, strtoll with checks, gmtime_r.
 */
#ifndef QGTM_BANNED_H
#define QGTM_BANNED_H

#define QGTM_BANNED(func) sorry_##func##_is_banned_in_qgtm

#undef strcpy
#define strcpy(x, y) QGTM_BANNED(strcpy)
#undef strcat
#define strcat(x, y) QGTM_BANNED(strcat)
#undef sprintf
#define sprintf(...) QGTM_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) QGTM_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) QGTM_BANNED(strtok)
#undef gmtime
#define gmtime(t) QGTM_BANNED(gmtime)
#undef localtime
#define localtime(t) QGTM_BANNED(localtime)
#undef atoi
#define atoi(s) QGTM_BANNED(atoi)
#undef atol
#define atol(s) QGTM_BANNED(atol)

#endif
