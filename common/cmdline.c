/* cmdline.c - getopt_long's tables from a --help text (see cmdline.h). */
#include "cmdline.h"

#include <ctype.h>
#include <string.h>

/* The option of the line at *p, which starts after its leading spaces at
 * "-"; on success *p is past its name and value. */
static bool read_option(AtCmdline *cl, const char **p)
{
    const char *s = *p;
    int letter = 0;
    if (s[1] != '-') { /* "-X, --NAME" */
        if (!isalnum((unsigned char)s[1]) || strncmp(s + 2, ", --", 4) != 0)
            return false;
        letter = s[1];
        s += 4;
    }
    s += 2;
    size_t len = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");
    if (cl->n >= AT_CMDLINE_MAX || len == 0 || len >= AT_CMDLINE_NAME_MAX)
        return false;
    /* " VALUE": one space and a word; two spaces begin the description */
    bool value = s[len] == ' ' && s[len + 1] != ' ' && s[len + 1] != '\n' && s[len + 1] != '\0';
    memcpy(cl->names[cl->n], s, len);
    cl->names[cl->n][len] = '\0';
    cl->longs[cl->n] = (struct option){cl->names[cl->n], value ? required_argument : no_argument,
                                       NULL, letter ? letter : AT_CMDLINE_LONG + cl->n};
    if (letter) {
        size_t k = strlen(cl->shorts);
        cl->shorts[k++] = (char)letter;
        if (value)
            cl->shorts[k++] = ':';
        cl->shorts[k] = '\0';
    }
    cl->n++;
    *p = s + len;
    return true;
}

bool at_cmdline_init(AtCmdline *cl, const char *help, const char *prefix)
{
    memset(cl, 0, sizeof *cl);
    if (strlen(prefix) > 4)
        return false;
    strcpy(cl->shorts, prefix);
    for (const char *line = help; *line;) {
        const char *s = line + strspn(line, " ");
        if (s > line && *s == '-' && !read_option(cl, &s))
            return false;
        const char *end = strchr(s, '\n');
        line = end ? end + 1 : s + strlen(s);
    }
    return true;
}

const char *at_cmdline_name(const AtCmdline *cl, int c)
{
    for (int i = 0; i < cl->n; i++)
        if (cl->longs[i].val == c)
            return cl->names[i];
    return "";
}
