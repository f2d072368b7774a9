/* SPDX-License-Identifier: Apache-2.0 */
/* The C ABI's lineage (pd_record_parent, pd_record_children, pd_record_root, pd_record_family),
 * project-row ordering (pd_project_set_order) and search after pd_record_update: answers, every
 * documented status, NULL out-parameters on failure, and refusals that change nothing. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pindeck/pindeck.h"

#define ID_SIZE 64
#define UNKNOWN "0000000000000nope"

/* Stores a record with this title, upload time and parent (NULL for an original); its id goes to
 * `id`. */
static void add(pd_client* client, const char* title, long uploaded_at, const char* parent,
                const char* extra, char* id) {
  char json[512];
  char parent_field[128] = "";
  if (parent != NULL)
    snprintf(parent_field, sizeof parent_field, ",\"parentImageId\":\"%s\"", parent);
  snprintf(json, sizeof json, "{\"title\":\"%s\",\"uploadedAt\":%ld%s%s}", title, uploaded_at,
           parent_field, extra ? extra : "");
  char* out = NULL;
  CHECK_STATUS(pd_record_create(client, json, &out), PD_OK);
  field_value(out, "id", id, ID_SIZE);
  pd_string_free(out);
}

/* The ids of a page or family answer, concatenated with spaces in the order they appear. */
static void ids_in(const char* json, char* out, size_t size) {
  out[0] = '\0';
  for (const char* p = json; (p = strstr(p, "\"id\":\"")) != NULL;) {
    p += strlen("\"id\":\"");
    const char* end = strchr(p, '"');
    CHECK(end != NULL);
    CHECK(strlen(out) + (size_t)(end - p) + 2 < size);
    if (out[0] != '\0') strcat(out, " ");
    strncat(out, p, (size_t)(end - p));
  }
}

static void expect_ids(const char* json, const char* expected) {
  char ids[4096];
  ids_in(json, ids, sizeof ids);
  CHECK_STR(ids, expected);
}

static void test_lineage(pd_client* client) {
  /* root -> c0 (t=20), c1 (t=40), c2 (t=30); c1 -> g (t=50). */
  char root[ID_SIZE], c[3][ID_SIZE], g[ID_SIZE];
  add(client, "root", 10, NULL, NULL, root);
  add(client, "c0", 20, root, NULL, c[0]);
  add(client, "c1", 40, root, NULL, c[1]);
  add(client, "c2", 30, root, NULL, c[2]);
  add(client, "g", 50, c[1], NULL, g);

  char* out = (char*)1;
  CHECK_STATUS(pd_record_parent(client, g, &out), PD_OK);
  char id[ID_SIZE];
  field_value(out, "id", id, sizeof id);
  CHECK_STR(id, c[1]);
  pd_string_free(out);
  CHECK_STATUS(pd_record_parent(client, root, &out), PD_OK);
  CHECK_STR(out, "null");
  pd_string_free(out);

  /* Children newest first, one a page: c1, c2, c0, each once. */
  char seen[256] = "", cursor[512] = "";
  for (int page = 0;; page++) {
    char query[700];
    if (cursor[0] == '\0') {
      snprintf(query, sizeof query, "{\"limit\":1}");
    } else {
      snprintf(query, sizeof query, "{\"limit\":1,\"cursor\":\"%s\"}", cursor);
    }
    CHECK(page < 5);
    CHECK_STATUS(pd_record_children(client, root, query, &out), PD_OK);
    char ids[256];
    ids_in(out, ids, sizeof ids);
    if (seen[0] != '\0' && ids[0] != '\0') strcat(seen, " ");
    strcat(seen, ids);
    const int more = strstr(out, "\"nextCursor\":null") == NULL;
    if (more) field_value(out, "nextCursor", cursor, sizeof cursor);
    pd_string_free(out);
    if (!more) break;
  }
  char expected[512];
  snprintf(expected, sizeof expected, "%s %s %s", c[1], c[2], c[0]);
  CHECK_STR(seen, expected);
  CHECK_STATUS(pd_record_children(client, g, NULL, &out), PD_OK);
  CHECK_CONTAINS(out, "\"records\":[]");
  pd_string_free(out);
  out = (char*)1;
  CHECK_STATUS(pd_record_children(client, root, "{\"originalsOnly\":true}", &out), PD_ERR_INVALID);
  CHECK(out == NULL);
  CHECK_CONTAINS(pd_last_error(), "originalsOnly");
  CHECK_STATUS(pd_record_children(client, root, "{\"limit\":0}", &out), PD_ERR_INVALID);
  CHECK_STATUS(pd_record_children(client, root, "{\"cursor\":\"bogus\"}", &out), PD_ERR_INVALID);

  CHECK_STATUS(pd_record_root(client, g, &out), PD_OK);
  field_value(out, "id", id, sizeof id);
  CHECK_STR(id, root);
  pd_string_free(out);

  /* The family of the leaf and of the root: by generation, newest first within one. */
  snprintf(expected, sizeof expected, "%s %s %s %s %s", root, c[1], c[2], c[0], g);
  const char* members[] = {g, root};
  for (int i = 0; i < 2; i++) {
    CHECK_STATUS(pd_record_family(client, members[i], &out), PD_OK);
    field_value(out, "rootId", id, sizeof id);
    CHECK_STR(id, root);
    CHECK_CONTAINS(out, "\"complete\":true");
    expect_ids(out, expected);
    pd_string_free(out);
  }

  /* Unknown ids, NULL arguments: the documented statuses, out left NULL. */
  int (*lookups[])(pd_client*, const char*, char**) = {pd_record_parent, pd_record_root,
                                                       pd_record_family};
  for (int i = 0; i < 3; i++) {
    out = (char*)1;
    CHECK_STATUS(lookups[i](client, UNKNOWN, &out), PD_ERR_NOT_FOUND);
    CHECK(out == NULL);
    CHECK_CONTAINS(pd_last_error(), "\"" UNKNOWN "\"");
    CHECK_STATUS(lookups[i](client, NULL, &out), PD_ERR_INVALID);
    CHECK_STR(pd_last_error(), "id must not be NULL");
    CHECK_STATUS(lookups[i](client, root, NULL), PD_ERR_INVALID);
    CHECK_STR(pd_last_error(), "out_json must not be NULL");
    CHECK_STATUS(lookups[i](NULL, root, &out), PD_ERR_INVALID);
  }
  out = (char*)1;
  CHECK_STATUS(pd_record_children(client, UNKNOWN, NULL, &out), PD_ERR_NOT_FOUND);
  CHECK(out == NULL);
  CHECK_STATUS(pd_record_children(client, NULL, NULL, &out), PD_ERR_INVALID);
}

static void test_depth_limit(pd_client* client) {
  /* A chain 13 levels deep: link[13]'s root is out of reach, link[12]'s is link[0]. */
  char link[14][ID_SIZE];
  add(client, "link", 1000, NULL, NULL, link[0]);
  for (int i = 1; i < 14; i++) add(client, "link", 1000 + i, link[i - 1], NULL, link[i]);
  char* out = NULL;
  CHECK_STATUS(pd_record_root(client, link[12], &out), PD_OK);
  char id[ID_SIZE];
  field_value(out, "id", id, sizeof id);
  CHECK_STR(id, link[0]);
  pd_string_free(out);
  out = (char*)1;
  CHECK_STATUS(pd_record_root(client, link[13], &out), PD_ERR_CONFLICT);
  CHECK(out == NULL);
  CHECK_CONTAINS(pd_last_error(), "more than 12 levels up");
  CHECK_CONTAINS(pd_last_error(), link[1]);
  CHECK_STATUS(pd_record_family(client, link[13], &out), PD_ERR_CONFLICT);
  CHECK(PD_MAX_LINEAGE_DEPTH == 12);
}

static void list_project(pd_client* client, char** out) {
  CHECK_STATUS(pd_record_list(client, "{\"projectName\":\"film\",\"order\":\"project\"}", out),
               PD_OK);
}

static void test_project_order(pd_client* client) {
  char r[3][ID_SIZE], other[ID_SIZE];
  add(client, "a", 1, NULL, ",\"projectName\":\"film\",\"projectOrder\":0", r[0]);
  add(client, "b", 2, NULL, ",\"projectName\":\"film\",\"projectOrder\":1", r[1]);
  add(client, "c", 3, NULL, ",\"projectName\":\"film\",\"projectOrder\":2", r[2]);
  add(client, "x", 4, NULL, ",\"projectName\":\"other\"", other);

  char* before = NULL;
  list_project(client, &before);
  char expected[256];
  snprintf(expected, sizeof expected, "%s %s %s", r[0], r[1], r[2]);
  expect_ids(before, expected);

  /* Refusals change nothing. */
  char ids[512];
  size_t changed = 99;
  snprintf(ids, sizeof ids, "[\"%s\",\"" UNKNOWN "\"]", r[2]);
  CHECK_STATUS(pd_project_set_order(client, "film", ids, &changed), PD_ERR_NOT_FOUND);
  CHECK(changed == 0);
  CHECK_CONTAINS(pd_last_error(), UNKNOWN);
  snprintf(ids, sizeof ids, "[\"%s\",\"%s\"]", r[2], other);
  CHECK_STATUS(pd_project_set_order(client, "film", ids, &changed), PD_ERR_INVALID);
  CHECK_CONTAINS(pd_last_error(), other);
  CHECK_STATUS(pd_project_set_order(client, "film", "[]", &changed), PD_ERR_INVALID);
  CHECK_STATUS(pd_project_set_order(client, "film", "{\"ids\":[]}", &changed), PD_ERR_INVALID);
  CHECK_STATUS(pd_project_set_order(client, "film", "[1]", &changed), PD_ERR_INVALID);
  CHECK_STATUS(pd_project_set_order(client, "film", "[", &changed), PD_ERR_INVALID);
  CHECK_STATUS(pd_project_set_order(client, NULL, ids, &changed), PD_ERR_INVALID);
  CHECK_STR(pd_last_error(), "project_name must not be NULL");
  CHECK_STATUS(pd_project_set_order(client, "film", NULL, &changed), PD_ERR_INVALID);
  CHECK_STR(pd_last_error(), "ids_json must not be NULL");
  char* after = NULL;
  list_project(client, &after);
  CHECK_STR(after, before);
  pd_string_free(after);
  pd_string_free(before);

  /* c, a, b: all three move. */
  snprintf(ids, sizeof ids, "[\"%s\",\"%s\",\"%s\"]", r[2], r[0], r[1]);
  CHECK_STATUS(pd_project_set_order(client, "film", ids, &changed), PD_OK);
  CHECK(changed == 3);
  list_project(client, &after);
  snprintf(expected, sizeof expected, "%s %s %s", r[2], r[0], r[1]);
  expect_ids(after, expected);
  pd_string_free(after);
  char* record = NULL;
  CHECK_STATUS(pd_record_get(client, r[2], &record), PD_OK);
  CHECK_CONTAINS(record, "\"projectOrder\":0");
  pd_string_free(record);
  CHECK_STATUS(pd_project_set_order(client, "film", ids, NULL), PD_OK);
}

static void expect_search(pd_client* client, const char* text, const char* query,
                          const char* expected_ids) {
  char* out = NULL;
  CHECK_STATUS(pd_record_search(client, text, query, &out), PD_OK);
  expect_ids(out, expected_ids);
  pd_string_free(out);
}

static void expect_list(pd_client* client, const char* query, const char* expected_ids) {
  char* out = NULL;
  CHECK_STATUS(pd_record_list(client, query, &out), PD_OK);
  expect_ids(out, expected_ids);
  pd_string_free(out);
}

static void test_search_follows_update(pd_client* client) {
  char id[ID_SIZE];
  add(client, "amber lighthouse", 7, NULL,
      ",\"description\":\"foggy harbour\",\"tags\":[\"seascape\"],\"sref\":\"--sref 1111\","
      "\"group\":\"coast\",\"projectName\":\"harbour film\",\"moodboardName\":\"blue hour\"",
      id);
  expect_search(client, "lighthouse", NULL, id);
  char* out = NULL;
  CHECK_STATUS(pd_record_update(client, id,
                                "{\"title\":\"crimson windmill\",\"description\":\"misty polder\","
                                "\"tags\":[\"farmland\"],\"sref\":\"--sref 2222\","
                                "\"group\":\"fields\",\"projectName\":\"polder film\","
                                "\"moodboardName\":\"noon light\"}",
                                &out),
               PD_OK);
  pd_string_free(out);
  const char* old_words[] = {"amber", "lighthouse", "foggy", "harbour", "seascape", "1111"};
  for (size_t i = 0; i < sizeof old_words / sizeof *old_words; i++) {
    expect_search(client, old_words[i], NULL, "");
  }
  const char* new_words[] = {"crimson", "windmill", "misty", "polder", "farmland", "2222"};
  for (size_t i = 0; i < sizeof new_words / sizeof *new_words; i++) {
    expect_search(client, new_words[i], NULL, id);
  }
  expect_list(client, "{\"tag\":\"seascape\"}", "");
  expect_list(client, "{\"tag\":\"farmland\"}", id);
  expect_list(client, "{\"group\":\"coast\"}", "");
  expect_list(client, "{\"group\":\"fields\"}", id);
  expect_list(client, "{\"projectName\":\"harbour film\"}", "");
  expect_list(client, "{\"projectName\":\"polder film\"}", id);
  expect_list(client, "{\"moodboardName\":\"blue hour\"}", "");
  expect_list(client, "{\"moodboardName\":\"noon light\"}", id);
  expect_search(client, "windmill", "{\"moodboardName\":\"noon light\",\"tag\":\"farmland\"}", id);
  expect_search(client, "windmill", "{\"moodboardName\":\"blue hour\"}", "");
}

int main(void) {
  char tmp[512];
  make_temp_dir(tmp, sizeof tmp, "lineage");
  char data[600];
  snprintf(data, sizeof data, "%s/data", tmp);
  pd_client* client = NULL;
  CHECK_STATUS(pd_client_open(data, &client), PD_OK);
  test_lineage(client);
  test_depth_limit(client);
  test_project_order(client);
  test_search_follows_update(client);
  pd_client_close(client);
  char* out = (char*)1;
  CHECK_STATUS(pd_record_root(client, "x", &out), PD_ERR_MISUSE);
  CHECK(out == NULL);
  CHECK_STATUS(pd_project_set_order(client, "film", "[\"x\"]", NULL), PD_ERR_MISUSE);

  char cmd[800];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  CHECK(system(cmd) == 0);
  puts("capi lineage: ok");
  return 0;
}
