/*
 * A base kept in a file from C: create, writes committed with an actor, the
 * change log, reopen, backup, read-only and closed handles, and files that
 * are not bases. The scratch directory is the first argument.
 */
#include "testsupport.h"

#include <stdio.h>

static int contains(const char *text, const char *needle)
{
    return text != NULL && strstr(text, needle) != NULL;
}

#define CHECK_CONTAINS(text, needle)                                                       \
    ts_check(contains((text), (needle)), __FILE__, __LINE__, "contains " #needle, (text))

static char dir[1024];

static const char *in_dir(const char *name)
{
    static char paths[4][1200];
    static int next = 0;
    char *path = paths[next++ % 4];
    snprintf(path, sizeof paths[0], "%s/%s", dir, name);
    return path;
}

/* Params naming `path` (a scratch path: no quote or backslash to escape). */
static const char *path_params(const char *path)
{
    static char params[1400];
    snprintf(params, sizeof params, "{\"path\":\"%s\"}", path);
    return params;
}

static void test_writes_survive_a_reopen(void)
{
    const char *path = in_dir("base.cb");
    cb_base *base = NULL;
    CHECK_OK(cb_base_create(path, "{\"tags\":[\"vip\"]}", &base));
    char *json = NULL;
    CHECK_OK(cb_base_call_mut(base, "set_actor", "{\"actor\":\"manager 7\"}", &json));
    cb_string_free(json);
    uint64_t id = 0;
    CHECK_OK(cb_base_add_json(
        base, "client", "{\"kind\":\"person\",\"surname\":\"Иванова\",\"given\":\"Анна\",\"tags\":[\"vip\"]}",
        &id));
    CHECK(id == 1);
    /* A second writer of the same file is refused, naming the file. */
    cb_base *second = NULL;
    CHECK_STATUS(cb_base_open(path, NULL, &second), CB_STORAGE);
    CHECK(second == NULL);
    CHECK_CONTAINS(cb_last_error_message(), "base.cb");
    CHECK_CONTAINS(cb_last_error_message(), "another program");
    /* An online backup of the live base. */
    CHECK_OK(cb_base_call(base, "backup", path_params(in_dir("backup.cb")), &json));
    CHECK_CONTAINS(json, "backup.cb");
    cb_string_free(json);
    CHECK_STATUS(cb_base_call(base, "backup", path_params(in_dir("backup.cb")), &json), CB_STORAGE);
    CHECK_CONTAINS(cb_last_error_message(), "already exists");
    /* The named call does the same. */
    CHECK_OK(cb_base_backup(base, in_dir("backup-named.cb")));
    CHECK_STATUS(cb_base_backup(base, in_dir("backup-named.cb")), CB_STORAGE);
    CHECK_CONTAINS(cb_last_error_message(), "already exists");
    CHECK_STATUS(cb_base_backup(base, NULL), CB_NULL_PARAMETER);
    cb_base_free(base);

    CHECK_OK(cb_base_open(path, NULL, &base));
    json = NULL;
    CHECK_OK(cb_base_call(base, "counts", NULL, &json));
    CHECK_CONTAINS(json, "\"clients\":1");
    cb_string_free(json);
    CHECK_OK(cb_base_call(base, "changes", "{\"actor\":\"manager 7\"}", &json));
    CHECK_CONTAINS(json, "\"action\":\"add_client\"");
    CHECK_CONTAINS(json, "\"record\":\"client 1\"");
    CHECK_CONTAINS(json, "\"op\":\"added\"");
    cb_string_free(json);
    /* A typo in the filter is named. */
    json = NULL;
    CHECK_STATUS(cb_base_call(base, "changes", "{\"actr\":\"x\"}", &json), CB_JSON);
    CHECK(json == NULL);
    CHECK_CONTAINS(cb_last_error_message(), "actr");
    CHECK_OK(cb_base_call_mut(base, "set_actor", "{\"actor\":\"manager 9\"}", &json));
    cb_string_free(json);
    CHECK_OK(cb_base_declare_tag(base, "gold"));
    CHECK_OK(cb_base_call(base, "changes", "{\"actor\":\"manager 9\"}", &json));
    CHECK_CONTAINS(json, "\"action\":\"declare_tag\"");
    cb_string_free(json);
    cb_base_free(base);

    /* The backup holds the client too. */
    CHECK_OK(cb_base_open(in_dir("backup.cb"), "{\"read_only\":true}", &base));
    CHECK_OK(cb_base_call(base, "counts", NULL, &json));
    CHECK_CONTAINS(json, "\"clients\":1");
    cb_string_free(json);
    CHECK_STATUS(cb_base_declare_tag(base, "x"), CB_STORAGE);
    CHECK_CONTAINS(cb_last_error_message(), "read-only");
    cb_base_free(base);
}

static void test_save_as_and_options(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    char *json = NULL;
    /* A base in memory keeps no change log. */
    CHECK_STATUS(cb_base_call(base, "changes", NULL, &json), CB_STORAGE);
    CHECK_OK(cb_base_save_as(base, in_dir("saved.cb")));
    uint64_t id = 0;
    CHECK_OK(cb_base_add_json(base, "client", "{\"kind\":\"company\",\"legal_name\":\"ООО Ромашка\"}",
                                     &id));
    cb_base_free(base);
    CHECK_OK(cb_base_open(in_dir("saved.cb"), NULL, &base));
    CHECK_OK(cb_base_call(base, "counts", NULL, &json));
    CHECK_CONTAINS(json, "\"companies\":1");
    cb_string_free(json);
    cb_base_free(base);

    /* `create` makes a missing file; a typo in the options is named. */
    CHECK_OK(cb_base_open(in_dir("fresh.cb"), "{\"create\":true}", &base));
    cb_base_free(base);
    base = NULL;
    CHECK_STATUS(cb_base_open(in_dir("x.cb"), "{\"craete\":true}", &base), CB_JSON);
    CHECK(base == NULL);
    CHECK_CONTAINS(cb_last_error_message(), "craete");
}

/* A base in memory keeps the last entries of a change log once asked. */
static void test_change_log_in_memory(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    CHECK_OK(cb_base_keep_change_log(base, 2));
    char *actor = NULL;
    CHECK_OK(cb_base_call_mut(base, "set_actor", "{\"actor\":\"manager 7\"}", &actor));
    cb_string_free(actor);
    uint64_t id = 0;
    const char *names[] = {"ООО Альфа", "ООО Бета", "ООО Гамма"};
    char client[128];
    for (int i = 0; i < 3; i++) {
        snprintf(client, sizeof client, "{\"kind\":\"company\",\"legal_name\":\"%s\"}", names[i]);
        CHECK_OK(cb_base_add_json(base, "client", client, &id));
    }
    char *json = NULL;
    CHECK_OK(cb_base_call(base, "changes", NULL, &json));
    /* The last two of three writes, numbered as they came. */
    CHECK(!contains(json, "\"seq\":1"));
    CHECK_CONTAINS(json, "\"seq\":2");
    CHECK_CONTAINS(json, "\"seq\":3");
    CHECK_CONTAINS(json, "manager 7");
    cb_string_free(json);
    /* 0 stops it; a base file refuses it. */
    CHECK_OK(cb_base_keep_change_log(base, 0));
    CHECK_STATUS(cb_base_call(base, "changes", NULL, &json), CB_STORAGE);
    cb_base_free(base);
    CHECK_OK(cb_base_open(in_dir("logged.cb"), "{\"create\":true}", &base));
    CHECK_STATUS(cb_base_keep_change_log(base, 10), CB_STORAGE);
    CHECK_CONTAINS(cb_last_error_message(), "whole change log");
    cb_base_free(base);
    CHECK_STATUS(cb_base_keep_change_log(NULL, 10), CB_NULL_PARAMETER);
}

static void test_files_that_are_not_bases(void)
{
    cb_base *base = NULL;
    CHECK_STATUS(cb_base_open(in_dir("missing.cb"), NULL, &base), CB_STORAGE);
    CHECK_CONTAINS(cb_last_error_message(), "missing.cb");
    CHECK_CONTAINS(cb_last_error_message(), "no such file");
    const char *text = in_dir("text.cb");
    FILE *f = fopen(text, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        for (int i = 0; i < 200; i++) {
            fputs("фамилия;имя\nИванова;Анна\n", f);
        }
        fclose(f);
    }
    CHECK_STATUS(cb_base_open(text, NULL, &base), CB_STORAGE);
    CHECK_CONTAINS(cb_last_error_message(), "not an SQLite database");
    CHECK(base == NULL);
    /* An existing file is never overwritten. */
    CHECK_STATUS(cb_base_create(text, NULL, &base), CB_STORAGE);
    CHECK_CONTAINS(cb_last_error_message(), "already exists");
    /* NULL arguments. */
    CHECK_STATUS(cb_base_open(NULL, NULL, &base), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_base_open(text, NULL, NULL), CB_NULL_PARAMETER);
    char *json = NULL;
    CHECK_STATUS(cb_base_call(NULL, "backup", path_params(text), &json), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_base_call_mut(NULL, "set_actor", NULL, &json), CB_NULL_PARAMETER);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_storage SCRATCH_DIR\n");
        return 2;
    }
    snprintf(dir, sizeof dir, "%s/storage", argv[1]);
    char command[1200];
    snprintf(command, sizeof command, "mkdir -p '%s'", dir);
    if (system(command) != 0) {
        return 2;
    }
    test_writes_survive_a_reopen();
    test_save_as_and_options();
    test_change_log_in_memory();
    test_files_that_are_not_bases();
    return ts_finish();
}
