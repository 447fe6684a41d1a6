/*
 * Documents and messages from C: a template filled from a client and a deal
 * (`cb_base_call` "render"), the variables a template reads
 * ("render_check"), a mail merge as a table (`cb_base_call_table`
 * "mail_merge"), SMS parts and a text without a base (`cb_call`), and the
 * errors of strict mode and of the limits as statuses with their messages.
 */
#include "testsupport.h"

static int contains(const char *text, const char *needle)
{
    return text != NULL && strstr(text, needle) != NULL;
}

#define CHECK_CONTAINS(text, needle)                                                       \
    ts_check(contains((text), (needle)), __FILE__, __LINE__, "contains " #needle, (text))

/* A company client with a contact person, a private client without a
 * phone, and a deal of two lines. */
static cb_base *shop(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new("{}", &base));
    uint64_t id = 0, deal = 0;
    CHECK_OK(cb_base_add_json(base, "client",
                                     "{\"kind\":\"company\",\"legal_name\":\"ООО «Вектор»\","
                                     "\"surname\":\"Петрова\",\"given\":\"Анна\","
                                     "\"patronymic\":\"Викторовна\","
                                     "\"phones\":[{\"raw\":\"8 916 123-45-67\"}]}",
                                     &id));
    CHECK(id == 1);
    CHECK_OK(cb_base_add_json(base, "client", "{\"surname\":\"Смирнов\",\"given\":\"Игорь\"}", &id));
    CHECK_OK(cb_base_add_json(
        base, "deal",
        "{\"client\":1,\"amount\":{\"amount\":\"123456.78\",\"currency\":\"RUB\"},"
        "\"lines\":[{\"product\":\"Стеллаж\",\"quantity\":\"2\","
        "\"unit_price\":{\"amount\":\"50000.00\",\"currency\":\"RUB\"}},"
        "{\"product\":\"Стол\",\"quantity\":\"1\","
        "\"unit_price\":{\"amount\":\"23456.78\",\"currency\":\"RUB\"}}]}",
        &deal));
    CHECK(deal == 1);
    return base;
}

static void test_render_offer(void)
{
    cb_base *base = shop();
    char *json = NULL;
    CHECK_OK(cb_base_call(base, "render",
                          "{\"deal\":1,\"today\":\"2026-11-22\","
                          "\"company\":{\"name\":\"ООО «Ромашка»\",\"director\":\"Иванов Сергей Петрович\"},"
                          "\"template\":\"{{ company.name }} в лице директора "
                          "{{ company.director | inflect('genitive') }}, {{ today | date_ru }}: "
                          "{% for l in deal.lines %}{{ l.product }} {{ l.total | money }}; {% endfor %}"
                          "итого {{ deal.amount | amount_words }}. {{ client.person | initials }}\"}",
                          &json));
    CHECK_STR(json,
              "{\"text\":\"ООО «Ромашка» в лице директора Иванова Сергея Петровича, 22 ноября 2026 г.: "
              "Стеллаж 100\u00a0000,00\u00a0₽; Стол 23\u00a0456,78\u00a0₽; итого Сто двадцать три тысячи "
              "четыреста пятьдесят шесть рублей 78 копеек. Петрова\u00a0А.\u00a0В.\"}");
    cb_string_free(json);

    CHECK_OK(cb_base_call(base, "render_check",
                          "{\"client\":2,\"template\":\"{{ client.name }} {{ client.city }}\"}", &json));
    CHECK_STR(json, "{\"missing\":[\"client.city\"],\"variables\":[\"client.city\",\"client.name\"]}");
    cb_string_free(json);
    cb_base_free(base);
}

static void test_errors(void)
{
    cb_base *base = shop();
    char *json = NULL;
    CHECK_STATUS(cb_base_call(base, "render", "{\"client\":2,\"template\":\"Здравствуйте!\\n{{ client.city }}\"}",
                              &json),
                 CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_record(), "template line 2");
    CHECK_STR(cb_last_error_field(), "client.city");
    CHECK_STATUS(cb_base_call(base, "render",
                              "{\"client\":2,\"template\":\"{% for i in range(100000) %}{% for j in "
                              "range(100000) %}{% endfor %}{% endfor %}\"}",
                              &json),
                 CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_field(), "limits.fuel");
    CHECK_STATUS(cb_base_call(base, "render",
                              "{\"client\":2,\"limits\":{\"max_output_bytes\":100},"
                              "\"template\":\"{{ 'x' * 1000 }}\"}",
                              &json),
                 CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_field(), "limits.max_output_bytes");
    CHECK_STATUS(cb_base_call(base, "render", "{\"client\":2,\"template\":\"x\",\"strikt\":true}", &json),
                 CB_JSON);
    CHECK_CONTAINS(cb_last_error_message(), "strikt");
    cb_base_free(base);
}

static void test_mail_merge_and_sms(void)
{
    cb_base *base = shop();
    cb_table *table = NULL;
    CHECK_OK(cb_base_call_table(base, "mail_merge",
                                "{\"template\":\"{{ client.person.given }}, ваш заказ готов.\"}", &table));
    CHECK(cb_table_rows(table) == 2);
    char *json = NULL;
    CHECK_OK(cb_table_to_json(table, &json));
    CHECK_CONTAINS(json, "\"values\":[\"+79161234567\",null]");
    CHECK_CONTAINS(json, "\"values\":[\"Анна, ваш заказ готов.\",null]");
    CHECK_CONTAINS(json, "\"values\":[\"UCS-2\",null]");
    CHECK_CONTAINS(json, "client 2: no phone to send to");
    cb_string_free(json);
    cb_table_free(table);

    CHECK_OK(cb_call("sms_parts", "{\"text\":\"Hello {world}\"}", &json));
    CHECK_STR(json, "{\"characters\":13,\"encoding\":\"GSM-7\",\"parts\":1,\"per_part\":160,\"units\":15}");
    cb_string_free(json);
    CHECK_OK(cb_call("render_text", "{\"template\":\"{{ n }} {{ n | plural('день', 'дня', 'дней') }}\",\"vars\":{\"n\":22}}",
                     &json));
    CHECK_STR(json, "{\"text\":\"22 дня\"}");
    cb_string_free(json);
    cb_base_free(base);
}

int main(void)
{
    test_render_offer();
    test_errors();
    test_mail_merge_and_sms();
    return ts_finish();
}
