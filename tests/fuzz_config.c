/* fuzz_config: libFuzzer harness for the config loader and the --set parser (tests, L4).
 * Each input is read as a config file (in a temp dir made and removed per input) and, split into
 * lines, as --set assignments. A config that loads must dump, reload and dump to the same bytes. */
#include "config.h"
#include "err.h"
#include "params.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SETS 64

/* libconfig 1.5's scanner leaks the buffer of a string token that a syntax error discards
 * (reproduced with libconfig alone); bounded, once per failed parse, not ours to free. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

static char dir[64];
static char cfg_path[96];

/* A fresh directory per input, removed before returning: a relative @include resolves inside it
 * (to nothing), and only a crash leaves anything behind (its own directory). */
static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/fuzz_config.XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(cfg_path, sizeof cfg_path, "%s/in.cfg", dir);
}

static void cleanup(void)
{
    unlink(cfg_path);
    rmdir(dir);
}

static int write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t put = fwrite(data, 1, n, f);
    int rc = fclose(f);
    return put == n && rc == 0 ? 0 : -1;
}

/* A loaded config must survive config_dump -> config_load -> config_dump byte for byte. */
static void round_trip(const params *p)
{
    char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    FILE *f = open_memstream(&a, &na);
    if (!f || config_dump(p, f) != 0 || fclose(f) != 0)
        abort();
    if (write_bytes(cfg_path, a, na) != 0)
        abort();
    params q;
    err e;
    err_clear(&e);
    if (config_load(&q, cfg_path, NULL, 0, &e) != 0) {
        fprintf(stderr, "round trip: reload failed: %s\n--- dump ---\n%s", e.msg, a);
        abort();
    }
    f = open_memstream(&b, &nb);
    if (!f || config_dump(&q, f) != 0 || fclose(f) != 0)
        abort();
    if (na != nb || memcmp(a, b, na) != 0) {
        fprintf(stderr, "round trip: dumps differ\n--- first ---\n%s--- second ---\n%s", a, b);
        abort();
    }
    free(a);
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    params p;
    err e;

    /* 1. The input as a config file. */
    if (write_bytes(cfg_path, data, size) != 0)
        abort();
    err_clear(&e);
    if (config_load(&p, cfg_path, NULL, 0, &e) == 0)
        round_trip(&p);
    else if (!e.set || strchr(e.msg, '\n'))
        abort(); /* an error must come with exactly one line */
    unlink(cfg_path);

    /* 2. The input's lines as --set assignments. */
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    const char *sets[MAX_SETS];
    int n = 0;
    for (char *s = text; n < MAX_SETS;) {
        char *nl = strchr(s, '\n');
        if (nl)
            *nl = '\0';
        sets[n++] = s;
        if (!nl)
            break;
        s = nl + 1;
    }
    err_clear(&e);
    if (config_load(&p, NULL, sets, n, &e) == 0)
        round_trip(&p);
    else if (!e.set || strchr(e.msg, '\n'))
        abort();
    unlink(cfg_path);
    params_defaults(&p);
    for (int i = 0; i < n; i++) {
        err_clear(&e);
        if (config_apply_set(&p, sets[i], &e) != 0 && (!e.set || strchr(e.msg, '\n')))
            abort();
    }
    free(text);
    cleanup();
    return 0;
}
