/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Log capture for tests that assert a hostile input was logged: between
 * vu_test_log_begin() and vu_test_log_end(), every rte_log line at the
 * given level or more urgent goes into memory instead of stderr, and
 * vu_test_log_has() looks for a line holding two strings (the device's
 * name and the reason, say). Lines from any thread are captured: rte_log
 * writes through stdio, whose stream lock we take to read.
 */
#ifndef VU_TEST_LOG_H
#define VU_TEST_LOG_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_log.h>

static FILE *vu_test_log_stream;
static char *vu_test_log_buf;
static size_t vu_test_log_len;
static uint32_t vu_test_log_level_before;

static inline bool
vu_test_log_begin(uint32_t level)
{
	vu_test_log_stream = open_memstream(&vu_test_log_buf, &vu_test_log_len);
	if (vu_test_log_stream == NULL)
		return false;
	vu_test_log_level_before = rte_log_get_global_level();
	rte_openlog_stream(vu_test_log_stream);
	rte_log_set_global_level(level);
	return true;
}

/* One captured line holds both @p a and @p b (NULL matches any line). */
static inline bool
vu_test_log_has_now(const char *a, const char *b)
{
	const char *line, *end;
	bool found = false;

	if (vu_test_log_stream == NULL)
		return false;
	flockfile(vu_test_log_stream);
	fflush(vu_test_log_stream);
	for (line = vu_test_log_buf; !found && line != NULL && *line != '\0';
	     line = end != NULL ? end + 1 : NULL) {
		size_t n;

		end = strchr(line, '\n');
		n = end != NULL ? (size_t)(end - line) : strlen(line);
		found = memmem(line, n, a, strlen(a)) != NULL &&
			(b == NULL || memmem(line, n, b, strlen(b)) != NULL);
	}
	funlockfile(vu_test_log_stream);
	return found;
}

/* What was captured, as TAP comments (to explain a failure). */
static inline void
vu_test_log_dump(void)
{
	const char *line, *end;

	if (vu_test_log_stream == NULL)
		return;
	flockfile(vu_test_log_stream);
	fflush(vu_test_log_stream);
	for (line = vu_test_log_buf; line != NULL && *line != '\0';
	     line = end != NULL ? end + 1 : NULL) {
		end = strchr(line, '\n');
		printf("#   %.*s\n", (int)(end != NULL ? end - line : (long)strlen(line)), line);
	}
	funlockfile(vu_test_log_stream);
}

/* As vu_test_log_has_now(), waiting up to 5 s for a line another thread
 * may still be writing (a loaded machine); on a miss, the capture is
 * printed. */
static inline bool
vu_test_log_has(const char *a, const char *b)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (vu_test_log_has_now(a, b))
			return true;
		usleep(10000);
	}
	printf("# no log line with \"%s\"%s%s%s; captured:\n", a, b ? " and \"" : "",
	       b ? b : "", b ? "\"" : "");
	vu_test_log_dump();
	return false;
}

/* Call when no other thread may be logging: the stream is closed. */
static inline void
vu_test_log_end(void)
{
	if (vu_test_log_stream == NULL)
		return;
	rte_openlog_stream(NULL);
	rte_log_set_global_level(vu_test_log_level_before);
	fclose(vu_test_log_stream);
	free(vu_test_log_buf);
	vu_test_log_stream = NULL;
	vu_test_log_buf = NULL;
}

#endif /* VU_TEST_LOG_H */
