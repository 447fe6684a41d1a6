/*
 * The bridge from C: every capability by name (cb_call, cb_base_call,
 * cb_base_call_mut, cb_base_call_table) and the named calls, JSON in and JSON
 * out (compact, object keys sorted); a typo in the params of EVERY registered
 * capability is CB_JSON naming the key; wrong access is an error; NULL
 * arguments give CB_NULL_PARAMETER; tables are read as JSON and through the
 * Arrow C Data Interface (ids as uint64, text through its offsets) and
 * released. Run under valgrind by scripts/test-c.sh.
 */
#include "testsupport.h"

static char SENTINEL;
#define SENTINEL_STR (&SENTINEL)

/* The call failed with `expected` and the last error message contains `needle`. */
static void check_failed_with(cb_status status, cb_status expected, const char *needle,
                              const char *file, int line)
{
    char detail[1024];
    const char *message = cb_last_error_message();
    snprintf(detail, sizeof detail, "got %s (%s), expected %s with \"%s\"",
             cb_status_name(status), message, cb_status_name(expected), needle);
    ts_check(status == expected && strstr(message, needle) != NULL, file, line, "failure",
             detail);
}
#define CHECK_FAILED(call, expected, needle)                                               \
    check_failed_with((call), (expected), (needle), __FILE__, __LINE__)
#define CHECK_NULL_ARG(call, arg)                                                          \
    CHECK_FAILED(call, CB_NULL_PARAMETER, "argument \"" arg "\" is NULL")

/* The output equals `expected`; the output is freed. */
static void check_json_and_free(char *got, const char *expected, const char *file, int line)
{
    char detail[4096];
    snprintf(detail, sizeof detail, "\n     got: %s\nexpected: %s", got ? got : "(null)",
             expected);
    ts_check(got != NULL && strcmp(got, expected) == 0, file, line, "output", detail);
    cb_string_free(got);
}
#define CHECK_JSON_FREE(got, expected) check_json_and_free((got), (expected), __FILE__, __LINE__)

/* `text` contains `needle`. */
static void check_contains(const char *text, const char *needle, const char *file, int line)
{
    char detail[8192];
    snprintf(detail, sizeof detail, "\"%s\" does not contain \"%s\"", text ? text : "(null)",
             needle);
    ts_check(text != NULL && strstr(text, needle) != NULL, file, line, "contains", detail);
}
#define CHECK_CONTAINS(text, needle) check_contains((text), (needle), __FILE__, __LINE__)

static void check_json_and_free(char *got, const char *expected, const char *file, int line);

/* Two clients that are the same person (two spellings of one phone) and one
 * other, with a won deal. */
static cb_base *small_base(uint64_t ids[3])
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new(NULL, &base));
    CHECK_OK(cb_base_freeze_clock(base, 1735689600));
#define SMIRNOVA(phone)                                                                            \
    "{\"kind\":\"person\",\"surname\":\"Смирнова\",\"given\":\"Ольга\",\"patronymic\":\"Игоревна\","  \
    "\"phones\":[{\"raw\":\"" phone "\"}]}"
    CHECK_OK(cb_base_add_json(base, "client", SMIRNOVA("8 916 123-45-67"), &ids[0]));
    CHECK_OK(cb_base_add_json(base, "client", SMIRNOVA("+7 916 1234567"), &ids[1]));
#undef SMIRNOVA
    CHECK_OK(cb_base_add_json(
        base, "client", "{\"kind\":\"person\",\"surname\":\"Петров\",\"given\":\"Пётр\"}", &ids[2]));
    /* Phones to E.164 through the bridge, so that both spellings match. */
    char *report = NULL;
    CHECK_OK(cb_base_call_mut(base, "normalize_contacts", NULL, &report));
    CHECK_JSON_FREE(report, "{\"changed\":2,\"clients\":3,\"clients_changed\":2,\"invalid\":[],"
                            "\"rejected\":[],\"split\":[],\"suggestions\":[]}");
    uint64_t deal = 0;
    CHECK_OK(cb_base_add_json(base, "deal",
                                   "{\"client\":1,\"amount\":{\"amount\":\"4990.00\",\"currency\":\"RUB\"},"
                                   "\"status\":\"won\",\"closed_at\":\"2024-06-01T10:00:00Z\"}",
                                   &deal));
    return base;
}

/* ---- the list, and a typo in every capability's params ------------------------------ */

static void test_every_capability_refuses_a_typo(cb_base *base)
{
    char *list = SENTINEL_STR;
    CHECK_NULL_ARG(cb_capabilities_json(NULL), "out_json");
    CHECK_OK(cb_capabilities_json(&list));
    CHECK(list != NULL && list[0] == '[');
    /* Sorted keys, like every output. */
    CHECK(strstr(list, "{\"access\":\"read\",\"name\":\"counts\",\"output\":\"report\","
                       "\"summary\":\"How many clients, deals and activities the base holds.\"}") !=
          NULL);
    CHECK(strstr(list, "{\"access\":\"read\",\"name\":\"clients_table\",\"output\":\"table\",") !=
          NULL);

    size_t seen = 0, tables = 0;
    for (const char *at = strstr(list, "{\"access\":\""); at != NULL;
         at = strstr(at + 1, "{\"access\":\"")) {
        char access[16] = {0}, name[64] = {0}, output[16] = {0};
        if (sscanf(at, "{\"access\":\"%15[a-z]\",\"name\":\"%63[a-z_]\",\"output\":\"%15[a-z]\"",
                   access, name, output) != 3) {
            ts_check(0, __FILE__, __LINE__, "a capability entry", at);
            break;
        }
        seen++;
        const char *typo = "{\"no_such_option\":1}";
        char *out = SENTINEL_STR;
        cb_status status;
        if (strcmp(output, "table") == 0) {
            cb_table *table = (cb_table *)SENTINEL_STR;
            status = cb_base_call_table(base, name, typo, &table);
            CHECK(table == (cb_table *)SENTINEL_STR);
            tables++;
        } else if (strcmp(access, "plain") == 0) {
            status = cb_call(name, typo, &out);
        } else if (strcmp(access, "read") == 0) {
            status = cb_base_call(base, name, typo, &out);
        } else {
            status = cb_base_call_mut(base, name, typo, &out);
        }
        char detail[1024];
        snprintf(detail, sizeof detail, "%s (%s): %s, %s", name, access, cb_status_name(status),
                 cb_last_error_message());
        ts_check(status == CB_JSON && strstr(cb_last_error_message(), name) != NULL &&
                     strstr(cb_last_error_message(), "unknown field `no_such_option`") != NULL,
                 __FILE__, __LINE__, "a typo in the params is CB_JSON naming the key", detail);
        CHECK(out == SENTINEL_STR);
        /* The generic writable call takes every capability, and refuses the typo too. */
        status = cb_base_call_mut(base, name, typo, &out);
        ts_check(status == CB_JSON && strstr(cb_last_error_message(), "no_such_option") != NULL,
                 __FILE__, __LINE__, "cb_base_call_mut refuses the typo", name);
    }
    CHECK(seen >= 16);
    CHECK(tables >= 2);
    cb_string_free(list);
}

/* ---- access, names and NULL arguments ----------------------------------------------- */

static void test_access_and_null_arguments(cb_base *base)
{
    char *out = SENTINEL_STR;
    /* A capability that changes the base, through the read-only call. */
    CHECK_FAILED(cb_base_call(base, "merge_clients", "{\"survivor\":1,\"others\":[2]}", &out),
                 CB_INVALID_VALUE, "merge_clients changes a base and needs it writable");
    CHECK_FAILED(cb_base_call(base, "normalize_contacts", NULL, &out), CB_INVALID_VALUE,
                 "normalize_contacts changes a base");
    /* A capability that needs a base, without one. */
    CHECK_FAILED(cb_call("counts", NULL, &out), CB_INVALID_VALUE,
                 "counts reads a base, but was called without a base");
    /* An unknown name lists the names there are. */
    CHECK_FAILED(cb_call("count", NULL, &out), CB_INVALID_VALUE,
                 "\"count\" is not a capability; there are counts, ");
    CHECK_STR(cb_last_error_field(), "capability");
    /* Params that are not an object, or not JSON. */
    CHECK_FAILED(cb_base_call(base, "counts", "[1]", &out), CB_JSON,
                 "counts params must be an object");
    CHECK_FAILED(cb_base_call(base, "counts", "{", &out), CB_JSON, "params_json");
    CHECK_FAILED(cb_base_call(base, "counts", "\xff", &out), CB_INVALID_UTF8, "params_json");
    CHECK(out == SENTINEL_STR);

    CHECK_NULL_ARG(cb_call(NULL, NULL, &out), "capability");
    CHECK_NULL_ARG(cb_call("parse_names", NULL, NULL), "out_json");
    CHECK_NULL_ARG(cb_base_call(NULL, "counts", NULL, &out), "base");
    CHECK_NULL_ARG(cb_base_call(base, NULL, NULL, &out), "capability");
    CHECK_NULL_ARG(cb_base_call(base, "counts", NULL, NULL), "out_json");
    CHECK_NULL_ARG(cb_base_call_mut(NULL, "counts", NULL, &out), "base");
    CHECK_NULL_ARG(cb_base_call_mut(base, NULL, NULL, &out), "capability");
    CHECK_NULL_ARG(cb_base_call_mut(base, "counts", NULL, NULL), "out_json");
    CHECK_NULL_ARG(cb_base_call(NULL, "dedupe", NULL, &out), "base");
    CHECK_NULL_ARG(cb_base_call(base, "dedupe", NULL, NULL), "out_json");
    CHECK_NULL_ARG(cb_base_call(NULL, "sales_summary", NULL, &out), "base");
    CHECK_NULL_ARG(cb_base_call(base, "sales_summary", NULL, NULL), "out_json");
    CHECK_NULL_ARG(cb_base_call_mut(NULL, "normalize_contacts", NULL, &out), "base");
    CHECK_NULL_ARG(cb_base_call_mut(NULL, "import_clients_csv", NULL, &out), "base");
    CHECK_NULL_ARG(cb_base_call_mut(base, "import_deals_csv", NULL, NULL), "out_json");
    CHECK(out == SENTINEL_STR);

    cb_table *table = (cb_table *)SENTINEL_STR;
    CHECK_NULL_ARG(cb_base_call_table(NULL, "clients_table", NULL, &table), "base");
    CHECK_NULL_ARG(cb_base_call_table(base, NULL, NULL, &table), "capability");
    CHECK_NULL_ARG(cb_base_call_table(base, "clients_table", NULL, NULL), "out_table");
    /* A report capability is not a table. */
    CHECK_FAILED(cb_base_call_table(base, "counts", NULL, &table), CB_INVALID_VALUE,
                 "counts gives back a report, not a table");
    CHECK_FAILED(cb_base_call_table(base, "clients_table", "{\"fields\":[\"id\",\"nope\"]}", &table),
                 CB_UNKNOWN_FIELD, "no column \"nope\"; the columns are id, kind, surname");
    CHECK(table == (cb_table *)SENTINEL_STR);
    CHECK(cb_table_rows(NULL) == 0);
    CHECK_NULL_ARG(cb_table_to_json(NULL, &out), "table");
    struct ArrowArray array;
    struct ArrowSchema schema;
    CHECK_NULL_ARG(cb_table_export_arrow(NULL, &array, &schema), "table");
    cb_table_free(NULL);
}

/* ---- outputs ---------------------------------------------------------------------- */

static void test_outputs(cb_base *base, const uint64_t ids[3])
{
    char *out = NULL;
    CHECK_OK(cb_base_call(base, "counts", NULL, &out));
    CHECK_JSON_FREE(out, "{\"activities\":0,\"clients\":3,\"companies\":0,\"deal_lines\":0,"
                         "\"deals\":1,\"open_deals\":0,\"open_tasks\":0,\"persons\":3}");
    /* "{}" is the defaults too, and a plain capability may be called with a base. */
    CHECK_OK(cb_base_call(base, "counts", "{}", &out));
    CHECK(out != NULL && strstr(out, "\"clients\":3") != NULL);
    cb_string_free(out);

    CHECK_OK(cb_call("parse_names", "{\"values\":[\"Иванов Иван Иванович\"]}", &out));
    CHECK_JSON_FREE(out, "[{\"gender\":\"male\",\"given\":\"Иван\",\"initials\":\"Иванов И. И.\","
                         "\"key\":\"ivanov ivan ivanovich\",\"patronymic\":\"Иванович\","
                         "\"surname\":\"Иванов\"}]");

    CHECK_OK(cb_call("parse_phones", "{\"values\":[\"8 916 123-45-67\",\"123\"]}", &out));
    CHECK_JSON_FREE(out, "[{\"invalid\":null,\"row\":0,\"valid\":{\"country_code\":7,"
                         "\"e164\":\"+79161234567\",\"extension\":null,"
                         "\"international\":\"+7 916 123-45-67\",\"kind\":\"mobile\","
                         "\"national\":\"8 (916) 123-45-67\",\"region\":\"RU\"}},"
                         "{\"invalid\":{\"problem\":\"too_short\",\"reason\":\"too short: 3 digits, "
                         "a Russian number has 10 digits, or 11 with a leading 8 or 7\"},"
                         "\"row\":1,\"valid\":null}]");

    /* NULL params are the defaults: no decided pairs. */
    char *named = NULL;
    CHECK_OK(cb_base_call(base, "dedupe", "{\"not_duplicates\":[]}", &named));
    CHECK_OK(cb_base_call(base, "dedupe", NULL, &out));
    CHECK_STR(named, out);
    /* The two Smirnovas, one full name on one phone, are one client. */
    CHECK_CONTAINS(named, "\"cluster_of\":{\"client\":[1,2],\"cluster\":[1,1]},"
                          "\"clusters\":[{\"id\":1,");
    CHECK_CONTAINS(named, "\"members\":[1,2]}],\"comparisons\":1,\"duplicates\":1,");
    cb_string_free(named);
    cb_string_free(out);
    /* A pair decided not to be duplicates is not joined: the join is refused. */
    CHECK_OK(cb_base_call(base, "dedupe", "{\"not_duplicates\":[[1,2]]}", &named));
    CHECK_CONTAINS(named, "\"clusters\":[],\"comparisons\":1,\"duplicates\":0,");
    CHECK_CONTAINS(named, "\"refused\":[{\"left\":1,");
    cb_string_free(named);
    /* A decision naming a client the base does not have is an error. */
    named = SENTINEL_STR;
    CHECK_FAILED(cb_base_call(base, "dedupe", "{\"not_duplicates\":[[1,999]]}", &named), CB_UNKNOWN_ID,
                 "999");
    /* A typo inside nested options is named too. */
    named = SENTINEL_STR;
    CHECK_FAILED(cb_base_call(base, "dedupe", "{\"options\":{\"treshold\":0.9}}", &named), CB_JSON,
                 "unknown field `treshold`");
    CHECK(named == SENTINEL_STR);

    CHECK_OK(cb_base_call(base, "sales_summary", NULL, &out));
    CHECK_JSON_FREE(out, "{\"by_category\":[],\"by_year\":[{\"deals\":1,\"revenue\":"
                         "{\"amount\":\"4990.00\",\"currency\":\"RUB\"},\"year\":2024}],"
                         "\"skipped\":[]}");

    /* A write capability through cb_base_call_mut: merge, then undo from its record. */
    char params[256];
    snprintf(params, sizeof params, "{\"survivor\":%" PRIu64 ",\"others\":[%" PRIu64 "]}", ids[0],
             ids[1]);
    char *record = NULL;
    CHECK_OK(cb_base_call_mut(base, "merge_clients", params, &record));
    CHECK(record != NULL && strstr(record, "\"survivor\":1") != NULL);
    CHECK_OK(cb_base_call(base, "counts", NULL, &out));
    CHECK(out != NULL && strstr(out, "\"clients\":2,") != NULL);
    cb_string_free(out);
    char *undo = malloc(strlen(record) + 16);
    if (undo != NULL) {
        sprintf(undo, "{\"record\":%s}", record);
        CHECK_OK(cb_base_call_mut(base, "undo_merge", undo, &out));
        CHECK_JSON_FREE(out, "{}");
        free(undo);
    }
    cb_string_free(record);
    CHECK_OK(cb_base_call(base, "counts", NULL, &out));
    CHECK(out != NULL && strstr(out, "\"clients\":3,") != NULL);
    cb_string_free(out);

    /* A table capability through cb_base_call gives the table's JSON form. */
    CHECK_OK(cb_base_call(base, "clients_table", "{\"fields\":[\"id\"]}", &out));
    CHECK_JSON_FREE(out, "{\"columns\":[{\"name\":\"id\",\"type\":\"uint64\",\"values\":[1,2,3]}],"
                         "\"rows\":3}");
}

/* ---- tables and Arrow ------------------------------------------------------------ */

static void test_tables(cb_base *base)
{
    cb_table *table = NULL;
    CHECK_OK(cb_base_call_table(base, "clients_table",
                                "{\"fields\":[\"id\",\"surname\",\"patronymic\"]}", &table));
    CHECK(cb_table_rows(table) == 3);
    char *json = NULL;
    CHECK_OK(cb_table_to_json(table, &json));
    CHECK_JSON_FREE(json, "{\"columns\":[{\"name\":\"id\",\"type\":\"uint64\",\"values\":[1,2,3]},"
                          "{\"name\":\"surname\",\"type\":\"text\",\"values\":[\"Смирнова\","
                          "\"Смирнова\",\"Петров\"]},{\"name\":\"patronymic\",\"type\":\"text\","
                          "\"values\":[\"Игоревна\",\"Игоревна\",null]}],\"rows\":3}");

    struct ArrowArray array;
    struct ArrowSchema schema;
    CHECK_NULL_ARG(cb_table_export_arrow(table, NULL, &schema), "out_array");
    CHECK_NULL_ARG(cb_table_export_arrow(table, &array, NULL), "out_schema");
    CHECK_OK(cb_table_export_arrow(table, &array, &schema));
    /* The arrays outlive the table. */
    cb_table_free(table);

    CHECK_STR(schema.format, "+s");
    CHECK(schema.n_children == 3 && array.n_children == 3);
    CHECK(array.length == 3 && array.null_count == 0);
    if (schema.n_children == 3 && array.n_children == 3) {
        CHECK_STR(schema.children[0]->name, "id");
        CHECK_STR(schema.children[0]->format, "L");
        CHECK_STR(schema.children[1]->name, "surname");
        CHECK_STR(schema.children[1]->format, "u");
        CHECK_STR(schema.children[2]->format, "u");
        CHECK((schema.children[0]->flags & ARROW_FLAG_NULLABLE) != 0);

        /* Ids: buffer 1 holds the uint64 values. */
        const struct ArrowArray *ids = array.children[0];
        CHECK(ids->length == 3 && ids->n_buffers == 2);
        const uint64_t *id_values = (const uint64_t *)ids->buffers[1] + ids->offset;
        CHECK(id_values[0] == 1 && id_values[1] == 2 && id_values[2] == 3);

        /* Text: int32 offsets in buffer 1, the UTF-8 bytes in buffer 2. */
        const struct ArrowArray *surnames = array.children[1];
        CHECK(surnames->n_buffers == 3);
        const int32_t *offsets = (const int32_t *)surnames->buffers[1] + surnames->offset;
        const char *text = (const char *)surnames->buffers[2];
        char third[64] = {0};
        int32_t len = offsets[3] - offsets[2];
        CHECK(len > 0 && len < 64);
        if (len > 0 && len < 64) {
            memcpy(third, text + offsets[2], (size_t)len);
        }
        CHECK_STR(third, "Петров");

        /* Petrov has no patronymic: a null, marked in the validity bitmap. */
        const struct ArrowArray *patronymics = array.children[2];
        CHECK(patronymics->null_count == 1);
        const uint8_t *valid = (const uint8_t *)patronymics->buffers[0];
        size_t bit = (size_t)patronymics->offset + 2;
        CHECK(valid != NULL && (valid[bit / 8] >> (bit % 8) & 1) == 0);
        bit = (size_t)patronymics->offset;
        CHECK(valid != NULL && (valid[bit / 8] >> (bit % 8) & 1) == 1);
    }
    CHECK(array.release != NULL && schema.release != NULL);
    array.release(&array);
    schema.release(&schema);
    CHECK(array.release == NULL && schema.release == NULL);

    /* Deals: the amount is an exact decimal. */
    CHECK_OK(cb_base_call_table(base, "deals_table", "{\"fields\":[\"id\",\"amount\"]}", &table));
    CHECK(cb_table_rows(table) == 1);
    CHECK_OK(cb_table_export_arrow(table, &array, &schema));
    if (schema.n_children == 2) {
        CHECK(strncmp(schema.children[1]->format, "d:38,", 5) == 0);
    }
    array.release(&array);
    schema.release(&schema);
    /* Exported twice from one table. */
    CHECK_OK(cb_table_export_arrow(table, &array, &schema));
    CHECK(array.length == 1);
    array.release(&array);
    schema.release(&schema);
    cb_table_free(table);
}

int main(void)
{
    uint64_t ids[3] = {0, 0, 0};
    cb_base *base = small_base(ids);
    test_every_capability_refuses_a_typo(base);
    test_access_and_null_arguments(base);
    test_outputs(base, ids);
    test_tables(base);
    cb_base_free(base);
    return ts_finish();
}
