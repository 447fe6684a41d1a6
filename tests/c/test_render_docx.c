/*
 * DOCX documents from C: a commercial offer made in LibreOffice
 * (crates/clientbase/tests/inputs/docx/offer.docx) filled from a client and
 * a deal as bytes in and bytes out (`cb_base_render_docx`), the same through
 * paths (`cb_base_call` "render_docx", "render_docx_check", `cb_call`
 * "docx_text"), a template without a base (`cb_render_docx`), and broken
 * templates as statuses whose last error names the place.
 *
 * Usage: test_render_docx TEMPLATE_DIR SCRATCH_DIR
 */
#include "testsupport.h"

#include <stdio.h>
#include <stdlib.h>

static int contains(const char *text, const char *needle)
{
    return text != NULL && strstr(text, needle) != NULL;
}

#define CHECK_CONTAINS(text, needle)                                                       \
    ts_check(contains((text), (needle)), __FILE__, __LINE__, "contains " #needle, (text))

static const char *template_dir;
static const char *scratch;

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *bytes = malloc((size_t)size);
    if (bytes == NULL || fread(bytes, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *len = (size_t)size;
    return bytes;
}

static void write_file(const char *path, const uint8_t *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(bytes, 1, len, f) != len) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    fclose(f);
}

static cb_base *shop(void)
{
    cb_base *base = NULL;
    CHECK_OK(cb_base_new("{}", &base));
    uint64_t id = 0, deal = 0;
    CHECK_OK(cb_base_add_json(base, "client",
                                     "{\"kind\":\"company\",\"legal_name\":\"ООО «Рога & Копыта»\","
                                     "\"emails\":[{\"raw\":\"info@roga.example\"}]}",
                                     &id));
    CHECK_OK(cb_base_add_json(
        base, "deal",
        "{\"client\":1,\"amount\":{\"amount\":\"123456.78\",\"currency\":\"RUB\"},"
        "\"lines\":[{\"product\":\"Стеллаж <металлический>\",\"quantity\":\"2\","
        "\"unit_price\":{\"amount\":\"50000.00\",\"currency\":\"RUB\"}},"
        "{\"product\":\"Стол\",\"quantity\":\"1\","
        "\"unit_price\":{\"amount\":\"23456.78\",\"currency\":\"RUB\"}}]}",
        &deal));
    return base;
}

#define COMPANY                                                                            \
    "\"company\":{\"name\":\"ООО «Ромашка»\",\"inn\":\"7707083893\",\"phone\":\"+7 495 000-00-00\","   \
    "\"director\":\"Иванов Сергей Петрович\",\"director_position\":\"Генеральный директор\"}"

static void test_bytes_in_bytes_out(void)
{
    char path[1024], out_path[1024], params[4096];
    snprintf(path, sizeof path, "%s/offer.docx", template_dir);
    size_t len = 0;
    uint8_t *template = read_file(path, &len);
    cb_base *base = shop();

    uint8_t *docx = NULL;
    size_t docx_len = 0;
    CHECK_OK(cb_base_render_docx(base, template, len,
                                 "{\"deal\":1,\"today\":\"2026-12-07\"," COMPANY "}", &docx, &docx_len));
    CHECK(docx != NULL && docx_len > 1000);
    CHECK(docx[0] == 'P' && docx[1] == 'K');

    /* Read it back through the capability that reads a document's text. */
    snprintf(out_path, sizeof out_path, "%s/offer-c.docx", scratch);
    write_file(out_path, docx, docx_len);
    cb_bytes_free(docx, docx_len);
    char *json = NULL;
    snprintf(params, sizeof params, "{\"docx\":\"%s\"}", out_path);
    CHECK_OK(cb_call("docx_text", params, &json));
    CHECK_CONTAINS(json, "Кому: ООО «Рога & Копыта»");
    CHECK_CONTAINS(json, "Стеллаж <металлический>");
    CHECK_CONTAINS(json, "Эл. почта: info@roga.example");
    CHECK_CONTAINS(json, "Сто двадцать три тысячи четыреста пятьдесят шесть рублей 78 копеек");
    cb_string_free(json);

    /* Paths: the capability writes the file atomically and says what it filled. */
    snprintf(out_path, sizeof out_path, "%s/offer-path.docx", scratch);
    snprintf(params, sizeof params, "{\"template\":\"%s\",\"out\":\"%s\",\"deal\":1," COMPANY "}", path,
             out_path);
    CHECK_OK(cb_base_call(base, "render_docx", params, &json));
    CHECK_CONTAINS(json, "\"parts\":[\"word/document.xml\",\"word/header1.xml\",\"word/footer1.xml\"]");
    cb_string_free(json);
    snprintf(params, sizeof params, "{\"docx\":\"%s\"}", out_path);
    CHECK_OK(cb_call("docx_text", params, &json));
    CHECK_CONTAINS(json, "Стол");
    cb_string_free(json);

    snprintf(params, sizeof params, "{\"template\":\"%s\",\"deal\":1}", path);
    CHECK_OK(cb_base_call(base, "render_docx_check", params, &json));
    CHECK_CONTAINS(json, "\"missing\":[\"client.city\",\"client.phone\",\"company.director\"");
    CHECK_CONTAINS(json, "\"deal.lines_total\"");
    cb_string_free(json);

    /* Without a base: vars only. A client or deal then is refused. */
    uint8_t *none = (uint8_t *)"untouched";
    size_t none_len = 7;
    CHECK_STATUS(cb_render_docx(template, len, "{\"deal\":1}", &none, &none_len), CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_field(), "deal");
    CHECK(none_len == 7);
    CHECK_STATUS(cb_render_docx(template, len, "{\"dael\":1}", &none, &none_len), CB_JSON);
    CHECK_STATUS(cb_render_docx(NULL, len, NULL, &none, &none_len), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_render_docx(template, len, NULL, NULL, &none_len), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_base_render_docx(NULL, template, len, NULL, &none, &none_len), CB_NULL_PARAMETER);
    /* Strict mode: the offer reads the client and deal, missing here. */
    CHECK_STATUS(cb_render_docx(template, len, "{}", &none, &none_len), CB_INVALID_VALUE);
    CHECK_CONTAINS(cb_last_error_record(), "word/document.xml, paragraph 1");
    CHECK_CONTAINS(cb_last_error_message(), "{{ deal.id }}");
    cb_bytes_free(NULL, 0);

    /* PDF: the params are checked before LibreOffice is looked for. */
    CHECK_STATUS(cb_docx_to_pdf(NULL, 10, NULL, &none, &none_len), CB_NULL_PARAMETER);
    CHECK_STATUS(cb_docx_to_pdf(template, len, "{\"timeout_seconds\":0}", &none, &none_len),
                 CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_field(), "timeout_seconds");
    CHECK_STATUS(cb_docx_to_pdf(template, len, "{\"docx\":\"x.docx\"}", &none, &none_len),
                 CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_field(), "docx");
    CHECK(none_len == 7);

    free(template);
    cb_base_free(base);
}

static void test_broken_templates(void)
{
    char path[1024], out_path[1024], params[4096];
    snprintf(path, sizeof path, "%s/broken.docx", template_dir);
    size_t len = 0;
    uint8_t *template = read_file(path, &len);
    cb_base *base = shop();
    uint8_t *docx = NULL;
    size_t docx_len = 0;

    /* A tag split across table cells, made so in LibreOffice. */
    CHECK_STATUS(cb_base_render_docx(base, template, len, "{\"deal\":1}", &docx, &docx_len),
                 CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_record(), "word/document.xml, paragraph 2 (table 1, row 1, cell 1)");
    CHECK_CONTAINS(cb_last_error_message(), "{{ deal.");
    CHECK(docx == NULL);

    /* A corrupt zip: the first half of a template. */
    CHECK_STATUS(cb_base_render_docx(base, template, len / 2, "{\"deal\":1}", &docx, &docx_len),
                 CB_INVALID_VALUE);
    CHECK_STR(cb_last_error_record(), "template");
    CHECK_CONTAINS(cb_last_error_message(), "not a DOCX file");

    /* Through paths: nothing is written. */
    snprintf(out_path, sizeof out_path, "%s/broken-out.docx", scratch);
    snprintf(params, sizeof params, "{\"template\":\"%s\",\"out\":\"%s\",\"deal\":1}", path, out_path);
    char *json = NULL;
    CHECK_STATUS(cb_base_call(base, "render_docx", params, &json), CB_INVALID_VALUE);
    CHECK(json == NULL);
    FILE *f = fopen(out_path, "rb");
    CHECK(f == NULL);
    if (f != NULL) {
        fclose(f);
    }
    free(template);
    cb_base_free(base);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s TEMPLATE_DIR SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    template_dir = argv[1];
    scratch = argv[2];
    test_bytes_in_bytes_out();
    test_broken_templates();
    return ts_finish();
}
