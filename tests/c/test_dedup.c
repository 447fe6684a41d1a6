/*
 * Duplicates through the C API: the match index on insert and over the whole
 * base (candidates, verdicts, clusters, "not a duplicate" decisions,
 * explanations, weight estimation, the model as JSON), merging clients and
 * undoing the merge exactly, and duplicate deals. Every call is also checked
 * with NULL pointers, bad UTF-8, malformed JSON and unknown ids: the status,
 * the message naming the record and field, and out-parameters left untouched.
 *
 * Usage: test_dedup
 */
#include "testsupport.h"

#define NOW 1735689600 /* 2025-01-01T00:00:00Z */

static const char BAD_UTF8[] = "\xff\xfe";
static char SENTINEL;
#define SENTINEL_STR (&SENTINEL)

/* The call failed with `expected`, and the last error says so and mentions `needle`. */
static void check_failed_with(cb_status status, cb_status expected, const char *needle,
                              const char *file, int line)
{
    char detail[1024];
    snprintf(detail, sizeof detail, "got %s (%s), expected %s mentioning %s",
             cb_status_name(status), cb_last_error_message(), cb_status_name(expected), needle);
    ts_check(status == expected && cb_last_error_status() == expected &&
                 strstr(cb_last_error_message(), needle) != NULL,
             file, line, "failure", detail);
}
#define CHECK_FAILS(call, expected, needle)                                                \
    check_failed_with((call), (expected), (needle), __FILE__, __LINE__)
#define CHECK_NULL_ARG(call, arg)                                                          \
    CHECK_FAILS((call), CB_NULL_PARAMETER, "argument \"" arg "\" is NULL")
#define CHECK_BAD_UTF8(call, arg)                                                          \
    CHECK_FAILS((call), CB_INVALID_UTF8, "invalid UTF-8: argument \"" arg "\"")

/* `text` (a string from the library, or NULL) contains `needle`. */
static void check_contains(const char *text, const char *needle, const char *file, int line)
{
    char detail[4096];
    snprintf(detail, sizeof detail, "\"%s\" does not contain \"%s\"", text ? text : "(null)",
             needle);
    ts_check(text != NULL && strstr(text, needle) != NULL, file, line, "contains", detail);
}
#define CHECK_CONTAINS(text, needle) check_contains((text), (needle), __FILE__, __LINE__)

static void check_lacks(const char *text, const char *needle, const char *file, int line)
{
    char detail[4096];
    snprintf(detail, sizeof detail, "\"%s\" contains \"%s\"", text ? text : "(null)", needle);
    ts_check(text != NULL && strstr(text, needle) == NULL, file, line, "lacks", detail);
}
#define CHECK_LACKS(text, needle) check_lacks((text), (needle), __FILE__, __LINE__)

/* The whole base as JSON; the caller frees it. */
static char *base_json(const cb_base *base)
{
    char *json = NULL;
    CHECK_OK(cb_base_to_json(base, &json));
    return json;
}

static uint64_t add_client(cb_base *base, const char *json)
{
    uint64_t id = 0;
    CHECK_OK(cb_base_add_json(base, "client", json, &id));
    return id;
}

/* The params of undo_merge for a merge record; the caller frees them with free(). */
static char *undo_params(const char *record)
{
    size_t size = strlen(record) + sizeof "{\"record\":}";
    char *params = malloc(size);
    CHECK(params != NULL);
    if (params != NULL) {
        snprintf(params, size, "{\"record\":%s}", record);
    }
    return params;
}

/* The capability find_duplicate_deal for `deal` (JSON): params {"deal": <deal>}. */
static cb_status find_duplicate_deal(const cb_base *base, const char *deal, char **out_json)
{
    char params[4096];
    snprintf(params, sizeof params, "{\"deal\":%s}", deal);
    return cb_base_call(base, "find_duplicate_deal", params, out_json);
}

/* The capability close_duplicate_deal: deal `newer` closed as a duplicate of `older`. */
static cb_status close_duplicate_deal(cb_base *base, uint64_t newer, uint64_t older)
{
    char params[96];
    snprintf(params, sizeof params, "{\"newer\":%llu,\"older\":%llu}", (unsigned long long)newer,
             (unsigned long long)older);
    char *json = NULL;
    cb_status status = cb_base_call_mut(base, "close_duplicate_deal", params, &json);
    cb_string_free(json);
    return status;
}

static uint64_t add_deal(cb_base *base, const char *json)
{
    uint64_t id = 0;
    CHECK_OK(cb_base_add_json(base, "deal", json, &id));
    return id;
}

/* The small base every test starts from:
 *   1 Иванов Сергей Петрович, his mobile, born 1985-03-07
 *   2 Иванова Мария, the same home phone as 1: a relative, not a duplicate
 *   3 Петров Пётр
 *   4 Смирнова Ольга */
static cb_base *small_base(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    CHECK_OK(cb_base_freeze_clock(base, NOW));
    CHECK(add_client(base, "{\"kind\":\"person\",\"surname\":\"Иванов\",\"given\":\"Сергей\","
                           "\"patronymic\":\"Петрович\",\"birthday\":\"1985-03-07\","
                           "\"phones\":[{\"raw\":\"8 916 123-45-67\"},{\"raw\":\"8 495 111-22-33\"}],"
                           "\"emails\":[{\"raw\":\"s.ivanov@mail.ru\"}],\"city\":\"Москва\"}") == 1);
    CHECK(add_client(base, "{\"kind\":\"person\",\"surname\":\"Иванова\",\"given\":\"Мария\","
                           "\"birthday\":\"1987-11-20\",\"phones\":[{\"raw\":\"8 495 111-22-33\"}]}") == 2);
    CHECK(add_client(base, "{\"kind\":\"person\",\"surname\":\"Петров\",\"given\":\"Пётр\","
                           "\"phones\":[{\"raw\":\"+7 903 555-12-34\"}]}") == 3);
    CHECK(add_client(base, "{\"kind\":\"person\",\"surname\":\"Смирнова\",\"given\":\"Ольга\","
                           "\"emails\":[{\"raw\":\"olga.smirnova@yandex.ru\"}]}") == 4);
    return base;
}

/* The lead that turns out to be client 1 typed in Latin letters. */
static const char *LEAD = "{\"kind\":\"person\",\"surname\":\"Ivanov\",\"given\":\"Sergey\","
                          "\"birthday\":\"1985-03-07\",\"phones\":[{\"raw\":\"+7 916 1234567\"}],"
                          "\"city\":\"Москва\"}";

static void test_index_lifecycle(void)
{
    cb_base *base = small_base();
    cb_match_index *index = (cb_match_index *)SENTINEL_STR;

    CHECK_NULL_ARG(cb_match_index_new(NULL, NULL, &index), "base");
    CHECK_NULL_ARG(cb_match_index_new(base, NULL, NULL), "out_index");
    CHECK_BAD_UTF8(cb_match_index_new(base, BAD_UTF8, &index), "options_json");
    CHECK_FAILS(cb_match_index_new(base, "{\"max_block\":", &index), CB_JSON, "options");
    CHECK_FAILS(cb_match_index_new(base, "{\"shoe_size\":42}", &index), CB_JSON, "shoe_size");
    CHECK_FAILS(cb_match_index_new(base, "{\"keys\":[\"shoe_size\"]}", &index), CB_INVALID_VALUE,
                "\"shoe_size\" is not a blocking key");
    CHECK_STR(cb_last_error_field(), "keys");
    CHECK_FAILS(cb_match_index_new(base, "{\"max_block\":1}", &index), CB_INVALID_VALUE,
                "two records");
    CHECK_STR(cb_last_error_field(), "max_block");
    CHECK_FAILS(cb_match_index_new(base, "{\"phone_region\":\"XX\"}", &index), CB_INVALID_VALUE,
                "XX");
    CHECK(index == (cb_match_index *)SENTINEL_STR);

    CHECK_OK(cb_match_index_new(base, "{}", &index));
    CHECK(cb_match_index_len(index) == 4);
    cb_match_index_free(index);
    CHECK_OK(cb_match_index_new(base, "{\"keys\":[\"phone\",\"email\"],\"threshold\":0.99,"
                                      "\"max_block\":100,\"phone_region\":\"RU\"}",
                                &index));
    CHECK(cb_match_index_len(index) == 4);
    cb_match_index_free(index);
    CHECK_OK(cb_match_index_new(base, NULL, &index));

    /* The index owns what it matches on: it outlives the base it was built from. */
    cb_base_free(base);
    char *found = NULL;
    CHECK_OK(cb_match_index_find(index, LEAD, 5, &found));
    CHECK_CONTAINS(found, "\"client\":1,");
    cb_string_free(found);
    CHECK(cb_match_index_len(index) == 4);
    CHECK(cb_match_index_len(NULL) == 0);
    cb_match_index_free(index);
    cb_match_index_free(NULL);
}

static void test_find_and_insert(void)
{
    cb_base *base = small_base();
    cb_match_index *index = NULL;
    CHECK_OK(cb_match_index_new(base, NULL, &index));

    char *found = SENTINEL_STR;
    CHECK_NULL_ARG(cb_match_index_find(NULL, LEAD, 5, &found), "index");
    CHECK_NULL_ARG(cb_match_index_find(index, NULL, 5, &found), "client_json");
    CHECK_NULL_ARG(cb_match_index_find(index, LEAD, 5, NULL), "out_json");
    CHECK_BAD_UTF8(cb_match_index_find(index, BAD_UTF8, 5, &found), "client_json");
    CHECK_FAILS(cb_match_index_find(index, "{\"kind\":\"person\",", 5, &found), CB_JSON,
                "JSON error: field \"client_json\"");
    CHECK_STR(cb_last_error_field(), "client_json");
    CHECK(found == SENTINEL_STR);

    /* Is this lead already a client? Client 1, best first, a duplicate. */
    CHECK_OK(cb_match_index_find(index, LEAD, 5, &found));
    CHECK(strncmp(found, "[{\"client\":1,", 13) == 0);
    const char *top_end = strstr(found, "\"explanation\"");
    CHECK(top_end != NULL);
    const char *verdict = strstr(found, "\"verdict\":\"duplicate\"");
    CHECK(verdict != NULL && verdict < top_end);
    CHECK_CONTAINS(found, "\"field\":\"phone\"");
    cb_string_free(found);

    /* limit 0: no candidates */
    CHECK_OK(cb_match_index_find(index, LEAD, 0, &found));
    CHECK_STR(found, "[]");
    cb_string_free(found);

    /* A stranger has no candidates. */
    CHECK_OK(cb_match_index_find(index,
                                 "{\"kind\":\"person\",\"surname\":\"Кузнецов\",\"given\":\"Олег\","
                                 "\"phones\":[{\"raw\":\"+7 999 000-11-22\"}]}",
                                 5, &found));
    CHECK_STR(found, "[]");
    cb_string_free(found);

    /* Someone sharing Сергей's home phone but clearly another person is related. */
    CHECK_OK(cb_match_index_find(index,
                                 "{\"kind\":\"person\",\"surname\":\"Иванов\",\"given\":\"Дмитрий\","
                                 "\"birthday\":\"2010-06-01\","
                                 "\"phones\":[{\"raw\":\"+7 495 111-22-33\"}]}",
                                 5, &found));
    CHECK_CONTAINS(found, "\"verdict\":\"related\"");
    CHECK_LACKS(found, "\"verdict\":\"duplicate\"");
    cb_string_free(found);

    /* The lead is added anyway; the index learns it. */
    uint64_t lead = add_client(base, LEAD);
    CHECK(lead == 5);
    CHECK_NULL_ARG(cb_match_index_insert(NULL, base, lead), "index");
    CHECK_NULL_ARG(cb_match_index_insert(index, NULL, lead), "base");
    CHECK_FAILS(cb_match_index_insert(index, base, 99), CB_UNKNOWN_ID, "client 99");
    CHECK_STR(cb_last_error_record(), "client 99");
    CHECK(cb_match_index_len(index) == 4);
    CHECK_OK(cb_match_index_insert(index, base, lead));
    CHECK(cb_match_index_len(index) == 5);
    /* Inserting again replaces the entry. */
    CHECK_OK(cb_match_index_insert(index, base, lead));
    CHECK(cb_match_index_len(index) == 5);

    /* A stored client's JSON finds its duplicates, never itself. */
    char *client = NULL;
    CHECK_OK(cb_base_record_json(base, "client", 1, &client));
    CHECK_OK(cb_match_index_find(index, client, 5, &found));
    CHECK(strncmp(found, "[{\"client\":5,", 13) == 0);
    CHECK_LACKS(found, "\"client\":1,");
    cb_string_free(found);
    cb_string_free(client);

    bool removed = false;
    CHECK_NULL_ARG(cb_match_index_remove(NULL, lead, &removed), "index");
    CHECK_NULL_ARG(cb_match_index_remove(index, lead, NULL), "out_removed");
    CHECK_OK(cb_match_index_remove(index, lead, &removed));
    CHECK(removed);
    CHECK(cb_match_index_len(index) == 4);
    CHECK_OK(cb_match_index_remove(index, lead, &removed));
    CHECK(!removed);

    cb_match_index_free(index);
    cb_base_free(base);
}

static void test_dedupe_and_explain(void)
{
    cb_base *base = small_base();
    CHECK(add_client(base, LEAD) == 5);
    cb_match_index *index = NULL;
    CHECK_OK(cb_match_index_new(base, NULL, &index));

    char *result = SENTINEL_STR;
    CHECK_NULL_ARG(cb_match_index_dedupe(NULL, NULL, &result), "index");
    CHECK_NULL_ARG(cb_match_index_dedupe(index, NULL, NULL), "out_json");
    CHECK_BAD_UTF8(cb_match_index_dedupe(index, BAD_UTF8, &result), "decisions_json");
    CHECK_FAILS(cb_match_index_dedupe(index, "{\"not_duplicates\":[[1,\"x\"]]}", &result), CB_JSON,
                "field \"decisions_json\"");
    CHECK_STR(cb_last_error_field(), "decisions_json");
    CHECK(result == SENTINEL_STR);

    /* One cluster: 1 and 5, with id 1 (its oldest record); 1 and 2 only related. */
    CHECK_OK(cb_match_index_dedupe(index, NULL, &result));
    CHECK_CONTAINS(result, "\"records\":5");
    CHECK_CONTAINS(result, "\"clusters\":[{\"id\":1,\"members\":[1,5],\"links\":[{\"left\":1,"
                           "\"right\":5,");
    CHECK_CONTAINS(result, "\"verdict\":\"duplicate\"}]}]");
    CHECK_CONTAINS(result, "\"related\":[{\"left\":1,\"right\":2,");
    CHECK_CONTAINS(result, "\"refused\":[]");
    cb_string_free(result);

    /* A person decided 5 and 1 are different clients (the order does not matter). */
    CHECK_OK(cb_match_index_dedupe(index, "{\"not_duplicates\":[[5,1]]}", &result));
    CHECK_CONTAINS(result, "\"clusters\":[]");
    CHECK_CONTAINS(result, "\"refused\":[{\"left\":1,\"right\":5,");
    cb_string_free(result);
    CHECK_OK(cb_match_index_dedupe(index, "{\"not_duplicates\":[]}", &result));
    CHECK_CONTAINS(result, "\"members\":[1,5]");
    cb_string_free(result);

    /* Why 1 and 5 are the same client. */
    char *json = SENTINEL_STR;
    CHECK_NULL_ARG(cb_match_index_explain(NULL, 1, 5, &json), "index");
    CHECK_NULL_ARG(cb_match_index_explain(index, 1, 5, NULL), "out_json");
    CHECK_FAILS(cb_match_index_explain(index, 1, 99, &json), CB_UNKNOWN_ID,
                "client 99 is not in the match index");
    CHECK_STR(cb_last_error_record(), "client 99");
    CHECK(json == SENTINEL_STR);
    CHECK_OK(cb_match_index_explain(index, 1, 5, &json));
    CHECK(strncmp(json, "{\"left\":1,\"right\":5,", 20) == 0);
    CHECK_CONTAINS(json, "{\"field\":\"phone\",\"level\":\"same\"");
    CHECK_CONTAINS(json, "\"verdict\":\"duplicate\"");
    cb_string_free(json);
    /* and why 1 and 2 are not */
    CHECK_OK(cb_match_index_explain(index, 1, 2, &json));
    CHECK_CONTAINS(json, "\"verdict\":\"related\"");
    CHECK_CONTAINS(json, "\"conflict\":");
    cb_string_free(json);

    char *text = SENTINEL_STR;
    CHECK_NULL_ARG(cb_match_index_explain_text(NULL, 1, 5, &text), "index");
    CHECK_NULL_ARG(cb_match_index_explain_text(index, 1, 5, NULL), "out_text");
    CHECK_FAILS(cb_match_index_explain_text(index, 99, 5, &text), CB_UNKNOWN_ID, "client 99");
    CHECK(text == SENTINEL_STR);
    CHECK_OK(cb_match_index_explain_text(index, 1, 5, &text));
    CHECK(strncmp(text, "client 1 ~ client 5: duplicate (probability ", 44) == 0);
    CHECK_CONTAINS(text, "\n  phone ");
    cb_string_free(text);

    cb_match_index_free(index);
    cb_base_free(base);
}

static void test_estimate_and_model(void)
{
    cb_base *base = small_base();
    cb_match_index *index = NULL;
    CHECK_OK(cb_match_index_new(base, NULL, &index));

    char *json = SENTINEL_STR;
    CHECK_NULL_ARG(cb_match_index_estimate(NULL, 1000, 7, &json), "index");
    CHECK_NULL_ARG(cb_match_index_estimate(index, 1000, 7, NULL), "out_json");
    CHECK_FAILS(cb_match_index_estimate(index, 1000, 7, &json), CB_INVALID_VALUE,
                "too few to estimate");
    CHECK_STR(cb_last_error_field(), "records");
    CHECK(json == SENTINEL_STR);
    cb_match_index_free(index);

    /* A base large enough to estimate from: 150 people, some typed twice. */
    for (int i = 0; i < 150; i++) {
        static const char *const SURNAMES[] = {"Кузнецов", "Попов", "Васильев", "Соколов",
                                               "Михайлов", "Новиков", "Фёдоров", "Морозов"};
        static const char *const GIVEN[] = {"Андрей", "Борис", "Виктор", "Глеб", "Денис",
                                            "Егор", "Игорь"};
        char client[512];
        snprintf(client, sizeof client,
                 "{\"kind\":\"person\",\"surname\":\"%s\",\"given\":\"%s\","
                 "\"phones\":[{\"raw\":\"+7 916 %03d-%02d-%02d\"}]}",
                 SURNAMES[i % 8], GIVEN[i % 7], 100 + (i % 120), i % 100, (i * 7) % 100);
        add_client(base, client);
    }
    CHECK_OK(cb_match_index_new(base, NULL, &index));
    CHECK(cb_match_index_len(index) == 154);

    char *model = SENTINEL_STR;
    CHECK_NULL_ARG(cb_match_index_model_json(NULL, &model), "index");
    CHECK_NULL_ARG(cb_match_index_model_json(index, NULL), "out_json");
    CHECK(model == SENTINEL_STR);
    CHECK_OK(cb_match_index_model_json(index, &model));
    CHECK_CONTAINS(model, "\"threshold\":");

    CHECK_OK(cb_match_index_estimate(index, 5000, 7, &json));
    CHECK_CONTAINS(json, "\"random_pairs\":5000");
    CHECK_CONTAINS(json, "\"iterations\":");
    cb_string_free(json);
    char *estimated = NULL;
    CHECK_OK(cb_match_index_model_json(index, &estimated));
    CHECK(strcmp(estimated, model) != 0);

    /* The default model given back: the index scores as before the estimate. */
    CHECK_NULL_ARG(cb_match_index_set_model_json(NULL, model), "index");
    CHECK_NULL_ARG(cb_match_index_set_model_json(index, NULL), "model_json");
    CHECK_BAD_UTF8(cb_match_index_set_model_json(index, BAD_UTF8), "model_json");
    CHECK_FAILS(cb_match_index_set_model_json(index, "{\"threshold\":0.5}"), CB_JSON,
                "field \"model_json\"");
    CHECK_OK(cb_match_index_set_model_json(index, model));
    char *back = NULL;
    CHECK_OK(cb_match_index_model_json(index, &back));
    CHECK_STR(back, model);
    cb_string_free(back);
    /* A model set in the options when the index is built. */
    char options[65536];
    snprintf(options, sizeof options, "{\"model\":%s}", estimated);
    cb_match_index *other = NULL;
    CHECK_OK(cb_match_index_new(base, options, &other));
    CHECK_OK(cb_match_index_model_json(other, &back));
    CHECK_STR(back, estimated);
    cb_string_free(back);
    cb_match_index_free(other);

    cb_string_free(estimated);
    cb_string_free(model);
    cb_match_index_free(index);
    cb_base_free(base);
}

static void test_merge_and_undo(void)
{
    cb_base *base = small_base();
    CHECK(add_client(base, LEAD) == 5);
    CHECK(add_deal(base, "{\"client\":5,\"title\":\"Корм\","
                         "\"amount\":{\"amount\":\"4900\",\"currency\":\"RUB\"}}") == 1);
    CHECK_OK(cb_base_freeze_clock(base, NOW + 3600));
    char *before = base_json(base);
    const char *merge_5_into_1 = "{\"survivor\":1,\"others\":[5]}";

    char *record = SENTINEL_STR;
    CHECK_NULL_ARG(cb_base_call_mut(NULL, "merge_clients", merge_5_into_1, &record), "base");
    CHECK_NULL_ARG(cb_base_call_mut(base, "merge_clients", merge_5_into_1, NULL), "out_json");
    CHECK_BAD_UTF8(cb_base_call_mut(base, "merge_clients", BAD_UTF8, &record), "params_json");
    CHECK_FAILS(cb_base_call_mut(base, "merge_clients", NULL, &record), CB_INVALID_VALUE,
                "surviving client is required");
    CHECK_STR(cb_last_error_field(), "survivor");
    CHECK_FAILS(cb_base_call_mut(
                    base, "merge_clients", "{\"survivor\":1,\"others\":[5],\"rules\":{\"default\":\"newest\"}}",
                    &record),
                CB_JSON, "newest");
    CHECK_FAILS(cb_base_call_mut(base, "merge_clients", "{\"survivor\":1,\"others\":[99]}", &record),
                CB_UNKNOWN_ID, "client 99 does not exist");
    CHECK_STR(cb_last_error_record(), "client 99");
    CHECK_FAILS(cb_base_call_mut(base, "merge_clients", "{\"survivor\":99,\"others\":[5]}", &record),
                CB_UNKNOWN_ID, "client 99");
    CHECK_FAILS(cb_base_call_mut(base, "merge_clients", "{\"survivor\":1,\"others\":[5,5]}", &record),
                CB_INVALID_VALUE, "given twice");
    CHECK_STR(cb_last_error_record(), "client 1");
    CHECK_STR(cb_last_error_field(), "others");
    CHECK_FAILS(cb_base_call_mut(base, "merge_clients",
                                      "{\"survivor\":1,\"others\":[5],\"rules\":{\"default\":"
                                      "\"most_recent\",\"fields\":{\"shoe\":\"most_complete\"}}}",
                                      &record),
                CB_INVALID_VALUE, "no such field to choose");
    CHECK_STR(cb_last_error_field(), "shoe");
    CHECK_FAILS(cb_base_call_mut(
                    base, "merge_clients", "{\"survivor\":1,\"others\":[5],\"rules\":{\"default\":{\"manual\":3}}}",
                    &record),
                CB_INVALID_VALUE, "not one of the merged records");
    CHECK(record == SENTINEL_STR);
    /* Nothing a failed merge touched changed. */
    char *after_failures = base_json(base);
    CHECK_STR(after_failures, before);
    cb_string_free(after_failures);

    /* Merge the lead into client 1, keeping the most complete value of every field. */
    CHECK_OK(cb_base_call_mut(base, "merge_clients",
                                   "{\"survivor\":1,\"others\":[5],\"rules\":{\"default\":"
                                   "\"most_complete\",\"fields\":{\"city\":{\"manual\":1}}}}",
                                   &record));
    CHECK_CONTAINS(record, "\"survivor\":1");
    CHECK_CONTAINS(record, "\"merged\":[5]");
    CHECK_CONTAINS(record, "\"deals\":[[1,5]]");
    char *counts = NULL;
    CHECK_OK(cb_base_call(base, "counts", NULL, &counts));
    CHECK_CONTAINS(counts, "\"clients\":4,");
    cb_string_free(counts);
    char *client = SENTINEL_STR;
    CHECK_FAILS(cb_base_record_json(base, "client", 5, &client), CB_UNKNOWN_ID, "client 5");
    CHECK_OK(cb_base_record_json(base, "client", 1, &client));
    CHECK_CONTAINS(client, "\"surname\":\"Иванов\"");
    CHECK_CONTAINS(client, "\"patronymic\":\"Петрович\"");
    CHECK_CONTAINS(client, "s.ivanov@mail.ru");
    cb_string_free(client);
    char *deal = NULL;
    CHECK_OK(cb_base_record_json(base, "deal", 1, &deal));
    CHECK_CONTAINS(deal, "\"client\":1,");
    cb_string_free(deal);

    /* An index built before the merge is brought up to date by hand. */
    cb_match_index *index = NULL;
    CHECK_OK(cb_match_index_new(base, NULL, &index));
    CHECK(cb_match_index_len(index) == 4);
    cb_match_index_free(index);

    /* Undo from the record: the base is exactly as before. */
    char *undo = undo_params(record);
    char *out = SENTINEL_STR;
    CHECK_NULL_ARG(cb_base_call_mut(NULL, "undo_merge", undo, &out), "base");
    CHECK_NULL_ARG(cb_base_call_mut(base, "undo_merge", undo, NULL), "out_json");
    CHECK_BAD_UTF8(cb_base_call_mut(base, "undo_merge", BAD_UTF8, &out), "params_json");
    CHECK_FAILS(cb_base_call_mut(base, "undo_merge", NULL, &out), CB_JSON, "missing field `record`");
    CHECK_FAILS(cb_base_call_mut(base, "undo_merge", "{\"record\":{\"survivor\":1}}", &out), CB_JSON,
                "missing field");
    CHECK(out == SENTINEL_STR);
    CHECK_OK(cb_base_call_mut(base, "undo_merge", undo, &out));
    CHECK_STR(out, "{}");
    cb_string_free(out);
    char *after = base_json(base);
    CHECK_STR(after, before);
    cb_string_free(after);
    /* A second undo finds the merged client back and refuses. */
    CHECK_FAILS(cb_base_call_mut(base, "undo_merge", undo, &out), CB_CONFLICT, "cannot undo the merge");
    CHECK_STR(cb_last_error_record(), "client 1");
    free(undo);
    cb_string_free(record);

    /* An undo is refused once the survivor changed after the merge. */
    CHECK_OK(cb_base_call_mut(base, "merge_clients", merge_5_into_1, &record));
    char *survivor = NULL;
    CHECK_OK(cb_base_record_json(base, "client", 1, &survivor));
    const char *emails = strstr(survivor, "\"emails\":[");
    CHECK(emails != NULL);
    size_t head = (size_t)(emails - survivor) + strlen("\"emails\":[");
    char changed[4096];
    snprintf(changed, sizeof changed, "%.*s{\"raw\":\"sergey@example.ru\"},%s", (int)head, survivor,
             survivor + head);
    cb_string_free(survivor);
    CHECK_OK(cb_base_update_json(base, "client", changed));
    undo = undo_params(record);
    CHECK_FAILS(cb_base_call_mut(base, "undo_merge", undo, &out), CB_CONFLICT,
                "the survivor client 1 changed");
    free(undo);
    cb_string_free(record);

    /* A person and a company are never the same client. */
    uint64_t company = 0;
    CHECK_OK(cb_base_add_json(base, "client", "{\"kind\":\"company\",\"legal_name\":\"ООО «Ромашка»\"}",
                                     &company));
    char params[96];
    snprintf(params, sizeof params, "{\"survivor\":1,\"others\":[%" PRIu64 "]}", company);
    CHECK_FAILS(cb_base_call_mut(base, "merge_clients", params, &record), CB_CONFLICT, "not the same client");
    CHECK_STR(cb_last_error_field(), "party");

    cb_string_free(before);
    cb_base_free(base);
}

static void test_duplicate_deals(void)
{
    cb_base *base = small_base();
    const char *food = "\"title\":\"Корм\",\"amount\":{\"amount\":\"4900\",\"currency\":\"RUB\"}";
    char deal[512];
    snprintf(deal, sizeof deal, "{\"client\":3,%s}", food);
    uint64_t older = add_deal(base, deal);
    uint64_t newer = add_deal(base, deal);
    snprintf(deal, sizeof deal, "{\"client\":1,%s}", food);
    uint64_t husband = add_deal(base, deal);
    snprintf(deal, sizeof deal, "{\"client\":2,%s}", food);
    uint64_t wife = add_deal(base, deal);
    CHECK(older == 1 && newer == 2 && husband == 3 && wife == 4);

    char *json = SENTINEL_STR;
    CHECK_NULL_ARG(cb_base_call(NULL, "duplicate_deals", NULL, &json), "base");
    CHECK_NULL_ARG(cb_base_call(base, "duplicate_deals", NULL, NULL), "out_json");
    CHECK_BAD_UTF8(cb_base_call(base, "duplicate_deals", BAD_UTF8, &json), "params_json");
    /* Missing rules take their defaults; an unknown key is refused. */
    CHECK_FAILS(cb_base_call(base, "duplicate_deals", "{\"rules\":{\"window\":30}}", &json), CB_JSON,
                "unknown field `window`");
    CHECK_FAILS(cb_base_call(base, "duplicate_deals", "{\"related\":[{\"left\":1}]}", &json), CB_JSON,
                "missing field");
    CHECK_FAILS(cb_base_call(base, "duplicate_deals", "{\"client\":3}", &json), CB_INVALID_VALUE,
                "open_deals takes a client");
    CHECK_STR(cb_last_error_field(), "client");
    CHECK(json == SENTINEL_STR);

    /* Without related links, only client 3's repeat is a duplicate. */
    CHECK_OK(cb_base_call(base, "duplicate_deals", NULL, &json));
    CHECK_STR(json, "[{\"action\":{\"action\":\"close\"},\"newer\":2,\"older\":1,"
                    "\"older_client\":3,\"same_decision_unit\":false}]");
    cb_string_free(json);
    CHECK_OK(cb_base_call(
        base, "duplicate_deals", "{\"rules\":{\"window_days\":90,\"abandoned_after_days\":30}}", &json));
    CHECK_CONTAINS(json, "\"newer\":2,\"older\":1,");
    cb_string_free(json);

    /* With the related links of a deduplication, the wife's deal repeats her husband's. */
    cb_match_index *index = NULL;
    CHECK_OK(cb_match_index_new(base, NULL, &index));
    char *dedupe = NULL;
    CHECK_OK(cb_match_index_dedupe(index, NULL, &dedupe));
    const char *related = strstr(dedupe, "\"related\":");
    const char *refused = strstr(dedupe, ",\"refused\":");
    CHECK(related != NULL && refused != NULL && refused > related);
    char links[4096] = "[]";
    if (related != NULL && refused != NULL && refused > related) {
        related += strlen("\"related\":");
        snprintf(links, sizeof links, "%.*s", (int)(refused - related), related);
    }
    CHECK_CONTAINS(links, "{\"left\":1,\"right\":2,");
    cb_string_free(dedupe);
    cb_match_index_free(index);

    char params[4200];
    snprintf(params, sizeof params, "{\"related\":%s}", links);
    CHECK_OK(cb_base_call(base, "duplicate_deals", params, &json));
    CHECK_CONTAINS(json, "\"newer\":2,\"older\":1,");
    CHECK_CONTAINS(json, "{\"action\":{\"action\":\"close\"},\"newer\":4,\"older\":3,"
                         "\"older_client\":1,\"same_decision_unit\":true}");
    cb_string_free(json);

    /* The open deals of Мария's decision unit: hers, then her husband's. */
    CHECK_NULL_ARG(cb_base_call(NULL, "open_deals", "{\"client\":2}", &json), "base");
    CHECK_NULL_ARG(cb_base_call(base, "open_deals", "{\"client\":2}", NULL), "out_json");
    CHECK_FAILS(cb_base_call(base, "open_deals", "{\"client\":99}", &json), CB_UNKNOWN_ID, "client 99");
    CHECK_FAILS(cb_base_call(base, "open_deals", NULL, &json), CB_INVALID_VALUE, "client");
    CHECK_STR(cb_last_error_field(), "client");
    CHECK_OK(cb_base_call(base, "open_deals", "{\"client\":2}", &json));
    CHECK_STR(json, "[4]");
    cb_string_free(json);
    snprintf(params, sizeof params, "{\"client\":2,\"related\":%s}", links);
    CHECK_OK(cb_base_call(base, "open_deals", params, &json));
    CHECK_STR(json, "[4,3]");
    cb_string_free(json);

    /* One deal checked before it is added, another already in the base. */
    snprintf(deal, sizeof deal, "{\"client\":3,%s}", food);
    json = SENTINEL_STR;
    CHECK_NULL_ARG(find_duplicate_deal(NULL, deal, &json), "base");
    CHECK_NULL_ARG(find_duplicate_deal(base, deal, NULL), "out_json");
    CHECK_FAILS(cb_base_call(base, "find_duplicate_deal", NULL, &json), CB_INVALID_VALUE,
                "deal");
    CHECK_FAILS(find_duplicate_deal(base, "{\"client\":3}", &json), CB_JSON, "amount");
    CHECK_FAILS(find_duplicate_deal(
                    base, "{\"client\":99,\"amount\":{\"amount\":\"1\",\"currency\":\"RUB\"}}",
                    &json),
                CB_UNKNOWN_ID, "client 99");
    CHECK_STR(cb_last_error_field(), "client");
    CHECK(json == SENTINEL_STR);
    CHECK_OK(find_duplicate_deal(base, deal, &json));
    CHECK_STR(json, "{\"action\":{\"action\":\"close\"},\"newer\":null,\"older\":1,"
                    "\"older_client\":3,\"same_decision_unit\":false}");
    cb_string_free(json);
    char *stored = NULL;
    CHECK_OK(cb_base_record_json(base, "deal", 2, &stored));
    CHECK_OK(find_duplicate_deal(base, stored, &json));
    CHECK_CONTAINS(json, "\"newer\":2,\"older\":1,");
    cb_string_free(json);
    cb_string_free(stored);
    /* Another manager's older deal is for a person to decide. */
    CHECK_OK(cb_base_record_json(base, "deal", 1, &stored));
    cb_string_free(stored);
    snprintf(deal, sizeof deal, "{\"client\":4,\"owner\":\"anna\",%s}", food);
    CHECK(add_deal(base, deal) == 5);
    snprintf(deal, sizeof deal, "{\"client\":4,\"owner\":\"boris\",%s}", food);
    CHECK_OK(find_duplicate_deal(base, deal, &json));
    CHECK_CONTAINS(json, "\"action\":{\"action\":\"review_other_manager\",\"newer\":\"boris\","
                         "\"older\":\"anna\"}");
    cb_string_free(json);
    /* Another title and no lines to compare in the same pipeline: a person decides. */
    CHECK_OK(find_duplicate_deal(
        base,
        "{\"client\":3,\"title\":\"Поводок\",\"amount\":{\"amount\":\"900\",\"currency\":\"RUB\"}}",
        &json));
    CHECK_CONTAINS(json, "\"action\":{\"action\":\"review_same_pipeline\"}");
    cb_string_free(json);
    /* A deal of another pipeline is no duplicate. */
    CHECK_OK(find_duplicate_deal(base,
                                 "{\"client\":3,\"title\":\"Поводок\",\"pipeline\":\"service\","
                                 "\"amount\":{\"amount\":\"900\",\"currency\":\"RUB\"}}",
                                 &json));
    CHECK_STR(json, "null");
    cb_string_free(json);

    /* Close the repeat as a duplicate. */
    CHECK_NULL_ARG(close_duplicate_deal(NULL, newer, older), "base");
    CHECK_FAILS(close_duplicate_deal(base, 99, older), CB_UNKNOWN_ID, "deal 99");
    CHECK_FAILS(close_duplicate_deal(base, newer, 99), CB_UNKNOWN_ID, "deal 99");
    CHECK_FAILS(close_duplicate_deal(base, older, older), CB_INVALID_VALUE,
                "cannot duplicate itself");
    CHECK_STR(cb_last_error_record(), "deal 1");
    CHECK_OK(close_duplicate_deal(base, newer, older));
    CHECK_OK(cb_base_record_json(base, "deal", newer, &stored));
    CHECK_CONTAINS(stored, "\"status\":{\"duplicate_of\":1}");
    cb_string_free(stored);
    CHECK_FAILS(close_duplicate_deal(base, newer, older), CB_CONFLICT, "already closed");
    CHECK_STR(cb_last_error_field(), "status");
    CHECK_FAILS(close_duplicate_deal(base, older, newer), CB_CONFLICT, "is closed");
    CHECK_OK(cb_base_call(base, "duplicate_deals", NULL, &json));
    CHECK_LACKS(json, "\"older\":1,");
    cb_string_free(json);

    cb_base_free(base);
}

/* A given name replaced while surname, patronymic, birthday and phone agree:
 * twins by default (a veto), a duplicate with "given_name_veto": false. */
static void test_given_name_policy(void)
{
    cb_base *base = small_base();
    const char *olga = "{\"kind\":\"person\",\"surname\":\"Кузьмина\",\"given\":\"Ольга\","
                       "\"patronymic\":\"Игоревна\",\"birthday\":\"1990-02-11\","
                       "\"phones\":[{\"raw\":\"8 917 555-10-20\"}]}";
    CHECK(add_client(base, "{\"kind\":\"person\",\"surname\":\"Кузьмина\",\"given\":\"Елена\","
                           "\"patronymic\":\"Игоревна\",\"birthday\":\"1990-02-11\","
                           "\"phones\":[{\"raw\":\"+7 917 555 10 20\"}]}") == 5);
    cb_match_index *index = NULL;
    char *found = NULL;
    CHECK_OK(cb_match_index_new(base, NULL, &index));
    CHECK_OK(cb_match_index_find(index, olga, 1, &found));
    CHECK_CONTAINS(found, "\"client\":5,");
    CHECK_CONTAINS(found, "\"verdict\":\"related\"");
    CHECK_CONTAINS(found, "\"conflict\":\"given\"");
    cb_string_free(found);
    cb_match_index_free(index);
    CHECK_OK(cb_match_index_new(base, "{\"given_name_veto\":false}", &index));
    CHECK_OK(cb_match_index_find(index, olga, 1, &found));
    CHECK_CONTAINS(found, "\"verdict\":\"duplicate\"");
    CHECK_LACKS(found, "\"conflict\"");
    cb_string_free(found);
    cb_match_index_free(index);
    CHECK_FAILS(cb_match_index_new(base, "{\"given_name_vetoo\":false}", &index), CB_JSON,
                "given_name_vetoo");
    cb_base_free(base);
}

/* A custom field the schema marks as identifying is compared and blocked on:
 * another phone and a Latin spelling, one passport. */
static void test_identifiers(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new("{\"fields\":[{\"name\":\"passport\",\"type\":\"text\","
                         "\"identifier\":true}]}",
                         &base));
    CHECK(add_client(base, "{\"kind\":\"person\",\"surname\":\"Захаров\",\"given\":\"Игорь\","
                           "\"phones\":[{\"raw\":\"8 916 765-00-11\"}],"
                           "\"custom\":{\"passport\":\"45 01 123456\"}}") == 1);
    CHECK(add_client(base, "{\"kind\":\"person\",\"surname\":\"Петров\",\"given\":\"Пётр\","
                           "\"phones\":[{\"raw\":\"8 903 555-12-34\"}]}") == 2);
    cb_match_index *index = NULL;
    char *found = NULL;
    CHECK_OK(cb_match_index_new(base, NULL, &index));
    CHECK_OK(cb_match_index_find(index,
                                 "{\"kind\":\"person\",\"surname\":\"Zakharov\",\"given\":\"I.\","
                                 "\"phones\":[{\"raw\":\"8 925 000-77-66\"}],"
                                 "\"custom\":{\"passport\":\"4501123456\"}}",
                                 1, &found));
    CHECK_CONTAINS(found, "\"client\":1,");
    CHECK_CONTAINS(found, "\"field\":\"identifier\",\"level\":\"same\"");
    CHECK_CONTAINS(found, "\"verdict\":\"duplicate\"");
    cb_string_free(found);
    cb_match_index_free(index);
    CHECK_FAILS(cb_match_index_new(base, "{\"identifiers\":[\"snils\"]}", &index),
                CB_INVALID_VALUE, "snils");
    CHECK_STR(cb_last_error_field(), "identifiers");
    cb_base_free(base);
}

int main(void)
{
    test_index_lifecycle();
    test_find_and_insert();
    test_dedupe_and_explain();
    test_estimate_and_model();
    test_merge_and_undo();
    test_duplicate_deals();
    test_given_name_policy();
    test_identifiers();
    return ts_finish();
}
