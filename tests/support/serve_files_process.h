/* SPDX-License-Identifier: Apache-2.0 */
/* serve_files (tests/support/serve_files.cpp) as a child process of a C test: an HTTP server on
 * 127.0.0.1 serving a directory, killed when the test exits, also when a CHECK fails. The test's
 * target defines SERVE_FILES, the path of the serve_files executable. Needs _POSIX_C_SOURCE. */
#ifndef PINDECK_TEST_SERVE_FILES_PROCESS_H
#define PINDECK_TEST_SERVE_FILES_PROCESS_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "check.h"

#define SERVE_FILES_MAX 4

static pid_t serve_files_pids[SERVE_FILES_MAX];
static int serve_files_count = 0;

/* Stops every server started so far (also run at exit). */
static void stop_serve_files(void) {
  for (int i = 0; i < serve_files_count; ++i) {
    kill(serve_files_pids[i], SIGTERM);
    waitpid(serve_files_pids[i], NULL, 0);
  }
  serve_files_count = 0;
}

/* Serves `dir` (the files there now: serve_files reads them at start); returns its port. */
static int start_serve_files(const char* dir) {
  static int stop_at_exit = 0;
  CHECK(serve_files_count < SERVE_FILES_MAX);
  if (!stop_at_exit) {
    CHECK(atexit(stop_serve_files) == 0);
    stop_at_exit = 1;
  }
  int fds[2];
  CHECK(pipe(fds) == 0);
  const pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
#ifdef __linux__
    /* A test that dies without running atexit must not leave its server behind. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(SERVE_FILES, SERVE_FILES, dir, (char*)NULL);
    _exit(127);
  }
  serve_files_pids[serve_files_count++] = pid;
  close(fds[1]);
  FILE* out = fdopen(fds[0], "r");
  CHECK(out != NULL);
  char line[32];
  CHECK(fgets(line, sizeof line, out) != NULL);
  fclose(out);
  const int port = atoi(line);
  CHECK(port > 0 && port < 65536);
  return port;
}

#endif
