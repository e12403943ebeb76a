/* fuzz_smtp_reply.c -- libFuzzer target: any bytes as what an SMTP
 * server says, split into lines as the probe splits them; every reply
 * line is parsed (code 200..599, text offset inside the line) and every
 * line after the first as an EHLO keyword (the AUTH mechanisms stay a
 * printable NUL-terminated string inside their buffer). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t start = 0, nline = 0;
	unsigned ext = 0;
	unsigned long sz = 0;
	char auth[16];

	for (size_t i = 0; i <= size; i++) {
		size_t len;
		int code;
		bool last;
		size_t off;

		if (i < size && p[i] != '\n')
			continue;
		len = i - start;
		if (len > 0 && p[start + len - 1] == '\r')
			len--;
		if (smtp_reply_line(p + start, len, &code, &last, &off)) {
			if (code < 200 || code > 599 || off > len)
				__builtin_trap();
			if (nline++ > 0) {
				memset(auth, 'x', sizeof(auth));
				auth[0] = '\0';
				smtp_ehlo_line(p + start + off, len - off, &ext,
				    auth, sizeof(auth), &sz);
				if (memchr(auth, '\0', sizeof(auth)) == NULL)
					__builtin_trap();
				for (size_t k = 0; auth[k] != '\0'; k++)
					if (auth[k] < 0x20 || auth[k] > 0x7e)
						__builtin_trap();
			}
		}
		start = i + 1;
	}
	if (ext >> SMTP_NEXT)
		__builtin_trap();
	return 0;
}
