/* params: the built-in defaults (the Kubernetes 1.12 defaults, from the key table) and enum names
 * (L3). */
#include "params.h"

#include "keys.h"

#include <stdio.h>
#include <string.h>

void params_defaults(params *p)
{
    keys_defaults(p);
}

/* The names are the key table's (keys.c), the one mapping from values to config names. */
#define NAME_FN(fn, type, table)                                                                   \
    const char *fn(type v)                                                                         \
    {                                                                                              \
        return key_enum_name(&table, (int)v);                                                      \
    }

NAME_FN(sa_mode_name, enum sa_mode, key_enum_sa_mode)
NAME_FN(ms_auth_name, enum ms_auth, key_enum_ms_auth)
NAME_FN(trigger_kind_name, enum trigger_kind, key_enum_trigger_kind)
NAME_FN(flush_scope_name, enum flush_scope, key_enum_flush)
NAME_FN(burst_target_name, enum burst_target, key_enum_burst_target)
NAME_FN(axis_scale_name, enum axis_scale, key_enum_scale)
NAME_FN(intervention_kind_name, enum intervention_kind, key_enum_intervention)
NAME_FN(client_class_name, enum client_class, key_enum_client_class)

void intervention_describe(const intervention *v, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    if (v->kind == INTERVENE_RESTART && v->replica >= 0)
        used = (size_t)snprintf(buf, n, "%s of replica %d %g s", intervention_kind_name(v->kind),
                                v->replica, v->duration_s);
    else if (v->kind == INTERVENE_RESTART)
        used = (size_t)snprintf(buf, n, "%s %g s", intervention_kind_name(v->kind), v->duration_s);
    else if (v->kind == INTERVENE_FLUSH)
        used = (size_t)snprintf(buf, n, "%s %s", intervention_kind_name(v->kind),
                                flush_scope_name(v->flush));
    else if (v->kind == INTERVENE_RAMP)
        used = (size_t)snprintf(buf, n, "ramp over %g s:", v->duration_s);
    for (int i = 0; i < v->nsets && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? (i ? "; " : " ") : "",
                                 v->sets[i].text);
}

double params_sa_rate(const params *p)
{
    return p->sa_clients.rate + p->sa_clients.rate_per_node * p->cluster.nodes;
}
