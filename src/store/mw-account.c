/* mw-account.c: the settings of one mail account
 *
 * Copyright 2026 The Mailwire authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mw-account.h"

#include "mw-account-private.h"
#include "mw-core-enums.h"
#include "mw-store-enums.h"
#include "mw-store-error.h"
#include "mw-store-util-private.h"

#include <glib/gi18n-lib.h>

enum
{
  PROP_0,
  PROP_ID,
  PROP_DISPLAY_NAME,
  PROP_ADDRESS,
  PROP_POP3_HOST,
  PROP_POP3_PORT,
  PROP_POP3_SECURITY,
  PROP_POP3_USER,
  PROP_POP3_AUTH_MECH,
  PROP_POP3_FINGERPRINT,
  PROP_ALLOW_PLAINTEXT,
  PROP_SMTP_HOST,
  PROP_SMTP_PORT,
  PROP_SMTP_SECURITY,
  PROP_SMTP_USER,
  PROP_SMTP_AUTH_MECH,
  PROP_SMTP_FINGERPRINT,
  PROP_LEAVE_POLICY,
  PROP_LEAVE_DAYS,
  PROP_MAX_SIZE,
  PROP_CHECK_INTERVAL,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

struct _MwAccount
{
  GObject parent_instance;

  char  *id;
  GValue values[N_PROPS]; /* indexed by property id; PROP_0 and PROP_ID unused */
};

G_DEFINE_FINAL_TYPE (MwAccount, mw_account, G_TYPE_OBJECT)

static void
set_value (MwAccount    *self,
           guint         prop_id,
           const GValue *value)
{
  GParamSpec *pspec = properties[prop_id];
  g_auto (GValue) validated = G_VALUE_INIT;

  g_value_init (&validated, pspec->value_type);
  g_value_copy (value, &validated);
  g_param_value_validate (pspec, &validated);

  if (g_param_values_cmp (pspec, &self->values[prop_id], &validated) == 0)
    return;

  g_value_copy (&validated, &self->values[prop_id]);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
mw_account_finalize (GObject *object)
{
  MwAccount *self = MW_ACCOUNT (object);

  g_clear_pointer (&self->id, g_free);
  for (guint i = PROP_ID + 1; i < N_PROPS; i++)
    g_value_unset (&self->values[i]);

  G_OBJECT_CLASS (mw_account_parent_class)->finalize (object);
}

static void
mw_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  MwAccount *self = MW_ACCOUNT (object);

  if (prop_id == PROP_ID)
    g_value_set_string (value, self->id);
  else if (prop_id > PROP_ID && prop_id < N_PROPS)
    g_value_copy (&self->values[prop_id], value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
mw_account_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  MwAccount *self = MW_ACCOUNT (object);

  if (prop_id == PROP_ID)
    self->id = g_value_dup_string (value);
  else if (prop_id > PROP_ID && prop_id < N_PROPS)
    set_value (self, prop_id, value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
mw_account_constructed (GObject *object)
{
  MwAccount *self = MW_ACCOUNT (object);

  G_OBJECT_CLASS (mw_account_parent_class)->constructed (object);

  if (self->id == NULL)
    self->id = g_uuid_string_random ();
  g_assert (mw_store_account_id_is_valid (self->id));
}

static void
mw_account_class_init (MwAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mw_account_finalize;
  object_class->constructed = mw_account_constructed;
  object_class->get_property = mw_account_get_property;
  object_class->set_property = mw_account_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_POP3_HOST] =
    g_param_spec_string ("pop3-host", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_POP3_PORT] =
    g_param_spec_uint ("pop3-port", NULL, NULL, 1, 65535, 995, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_POP3_SECURITY] =
    g_param_spec_enum ("pop3-security", NULL, NULL, MW_TYPE_SECURITY, MW_SECURITY_TLS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_POP3_USER] =
    g_param_spec_string ("pop3-user", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_POP3_AUTH_MECH] =
    g_param_spec_string ("pop3-auth-mech", NULL, NULL, "auto", G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_POP3_FINGERPRINT] =
    g_param_spec_string ("pop3-fingerprint", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ALLOW_PLAINTEXT] =
    g_param_spec_boolean ("allow-plaintext", NULL, NULL, FALSE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SMTP_HOST] =
    g_param_spec_string ("smtp-host", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SMTP_PORT] =
    g_param_spec_uint ("smtp-port", NULL, NULL, 1, 65535, 465, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SMTP_SECURITY] =
    g_param_spec_enum ("smtp-security", NULL, NULL, MW_TYPE_SECURITY, MW_SECURITY_TLS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SMTP_USER] =
    g_param_spec_string ("smtp-user", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SMTP_AUTH_MECH] =
    g_param_spec_string ("smtp-auth-mech", NULL, NULL, "auto", G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SMTP_FINGERPRINT] =
    g_param_spec_string ("smtp-fingerprint", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LEAVE_POLICY] =
    g_param_spec_enum ("leave-policy", NULL, NULL, MW_TYPE_LEAVE_POLICY, MW_LEAVE_POLICY_KEEP, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LEAVE_DAYS] =
    g_param_spec_uint ("leave-days", NULL, NULL, 0, 3650, 14, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MAX_SIZE] =
    g_param_spec_uint64 ("max-size", NULL, NULL, 0, G_MAXUINT64, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CHECK_INTERVAL] =
    g_param_spec_uint ("check-interval", NULL, NULL, 0, 10080, 10, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mw_account_init (MwAccount *self)
{
  for (guint i = PROP_ID + 1; i < N_PROPS; i++)
    {
      g_value_init (&self->values[i], properties[i]->value_type);
      g_param_value_set_default (properties[i], &self->values[i]);
    }
}

MwAccount *
mw_account_new (const char *id)
{
  g_return_val_if_fail (id == NULL || mw_store_account_id_is_valid (id), NULL);

  return g_object_new (MW_TYPE_ACCOUNT, "id", id, NULL);
}

const char *
mw_account_get_id (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), NULL);
  return self->id;
}

const char *
mw_account_get_display_name (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), NULL);
  return g_value_get_string (&self->values[PROP_DISPLAY_NAME]);
}

void
mw_account_set_display_name (MwAccount  *self,
                             const char *display_name)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, display_name);
  set_value (self, PROP_DISPLAY_NAME, &value);
}

const char *
mw_account_get_address (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), NULL);
  return g_value_get_string (&self->values[PROP_ADDRESS]);
}

void
mw_account_set_address (MwAccount  *self,
                        const char *address)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, address);
  set_value (self, PROP_ADDRESS, &value);
}

const char *
mw_account_get_pop3_host (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), NULL);
  return g_value_get_string (&self->values[PROP_POP3_HOST]);
}

void
mw_account_set_pop3_host (MwAccount  *self,
                          const char *host)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, host);
  set_value (self, PROP_POP3_HOST, &value);
}

guint
mw_account_get_pop3_port (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), 0);
  return g_value_get_uint (&self->values[PROP_POP3_PORT]);
}

void
mw_account_set_pop3_port (MwAccount *self,
                          guint      port)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_UINT);
  g_value_set_uint (&value, port);
  set_value (self, PROP_POP3_PORT, &value);
}

MwSecurity
mw_account_get_pop3_security (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), MW_SECURITY_TLS);
  return g_value_get_enum (&self->values[PROP_POP3_SECURITY]);
}

void
mw_account_set_pop3_security (MwAccount *self,
                              MwSecurity security)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, MW_TYPE_SECURITY);
  g_value_set_enum (&value, security);
  set_value (self, PROP_POP3_SECURITY, &value);
}

const char *
mw_account_get_pop3_user (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), NULL);
  return g_value_get_string (&self->values[PROP_POP3_USER]);
}

void
mw_account_set_pop3_user (MwAccount  *self,
                          const char *user)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, user);
  set_value (self, PROP_POP3_USER, &value);
}

const char *
mw_account_get_pop3_auth_mech (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), NULL);
  return g_value_get_string (&self->values[PROP_POP3_AUTH_MECH]);
}

void
mw_account_set_pop3_auth_mech (MwAccount  *self,
                               const char *mech)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, mech);
  set_value (self, PROP_POP3_AUTH_MECH, &value);
}

const char *
mw_account_get_pop3_fingerprint (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), NULL);
  return g_value_get_string (&self->values[PROP_POP3_FINGERPRINT]);
}

void
mw_account_set_pop3_fingerprint (MwAccount  *self,
                                 const char *fingerprint)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, fingerprint);
  set_value (self, PROP_POP3_FINGERPRINT, &value);
}

gboolean
mw_account_get_allow_plaintext (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), FALSE);
  return g_value_get_boolean (&self->values[PROP_ALLOW_PLAINTEXT]);
}

void
mw_account_set_allow_plaintext (MwAccount *self,
                                gboolean   allow)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_BOOLEAN);
  g_value_set_boolean (&value, allow);
  set_value (self, PROP_ALLOW_PLAINTEXT, &value);
}

const char *
mw_account_get_smtp_host (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), NULL);
  return g_value_get_string (&self->values[PROP_SMTP_HOST]);
}

void
mw_account_set_smtp_host (MwAccount  *self,
                          const char *host)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, host);
  set_value (self, PROP_SMTP_HOST, &value);
}

guint
mw_account_get_smtp_port (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), 0);
  return g_value_get_uint (&self->values[PROP_SMTP_PORT]);
}

void
mw_account_set_smtp_port (MwAccount *self,
                          guint      port)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_UINT);
  g_value_set_uint (&value, port);
  set_value (self, PROP_SMTP_PORT, &value);
}

MwSecurity
mw_account_get_smtp_security (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), MW_SECURITY_TLS);
  return g_value_get_enum (&self->values[PROP_SMTP_SECURITY]);
}

void
mw_account_set_smtp_security (MwAccount *self,
                              MwSecurity security)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, MW_TYPE_SECURITY);
  g_value_set_enum (&value, security);
  set_value (self, PROP_SMTP_SECURITY, &value);
}

const char *
mw_account_get_smtp_user (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), NULL);
  return g_value_get_string (&self->values[PROP_SMTP_USER]);
}

void
mw_account_set_smtp_user (MwAccount  *self,
                          const char *user)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, user);
  set_value (self, PROP_SMTP_USER, &value);
}

const char *
mw_account_get_smtp_auth_mech (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), NULL);
  return g_value_get_string (&self->values[PROP_SMTP_AUTH_MECH]);
}

void
mw_account_set_smtp_auth_mech (MwAccount  *self,
                               const char *mech)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, mech);
  set_value (self, PROP_SMTP_AUTH_MECH, &value);
}

const char *
mw_account_get_smtp_fingerprint (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), NULL);
  return g_value_get_string (&self->values[PROP_SMTP_FINGERPRINT]);
}

void
mw_account_set_smtp_fingerprint (MwAccount  *self,
                                 const char *fingerprint)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, fingerprint);
  set_value (self, PROP_SMTP_FINGERPRINT, &value);
}

MwLeavePolicy
mw_account_get_leave_policy (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), MW_LEAVE_POLICY_KEEP);
  return g_value_get_enum (&self->values[PROP_LEAVE_POLICY]);
}

void
mw_account_set_leave_policy (MwAccount    *self,
                             MwLeavePolicy policy)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, MW_TYPE_LEAVE_POLICY);
  g_value_set_enum (&value, policy);
  set_value (self, PROP_LEAVE_POLICY, &value);
}

guint
mw_account_get_leave_days (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), 0);
  return g_value_get_uint (&self->values[PROP_LEAVE_DAYS]);
}

void
mw_account_set_leave_days (MwAccount *self,
                           guint      days)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_UINT);
  g_value_set_uint (&value, days);
  set_value (self, PROP_LEAVE_DAYS, &value);
}

guint64
mw_account_get_max_size (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), 0);
  return g_value_get_uint64 (&self->values[PROP_MAX_SIZE]);
}

void
mw_account_set_max_size (MwAccount *self,
                         guint64    max_size)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_UINT64);
  g_value_set_uint64 (&value, max_size);
  set_value (self, PROP_MAX_SIZE, &value);
}

guint
mw_account_get_check_interval (MwAccount *self)
{
  g_return_val_if_fail (MW_IS_ACCOUNT (self), 0);
  return g_value_get_uint (&self->values[PROP_CHECK_INTERVAL]);
}

void
mw_account_set_check_interval (MwAccount *self,
                               guint      minutes)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_if_fail (MW_IS_ACCOUNT (self));

  g_value_init (&value, G_TYPE_UINT);
  g_value_set_uint (&value, minutes);
  set_value (self, PROP_CHECK_INTERVAL, &value);
}

void
mw_account_get_fetch_policy (MwAccount     *self,
                             MwFetchPolicy *policy)
{
  g_return_if_fail (MW_IS_ACCOUNT (self));
  g_return_if_fail (policy != NULL);

  policy->leave = mw_account_get_leave_policy (self);
  policy->days = mw_account_get_leave_days (self);
  policy->max_size = mw_account_get_max_size (self);
}

/* Key file */

void
mw_account_save_to_key_file (MwAccount  *self,
                             GKeyFile   *key_file,
                             const char *group)
{
  g_return_if_fail (MW_IS_ACCOUNT (self));

  for (guint i = PROP_ID + 1; i < N_PROPS; i++)
    {
      const char   *key = properties[i]->name;
      const GValue *value = &self->values[i];

      switch (G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (value)))
        {
        case G_TYPE_STRING:
          if (g_value_get_string (value) != NULL)
            g_key_file_set_string (key_file, group, key, g_value_get_string (value));
          break;
        case G_TYPE_UINT:
          g_key_file_set_uint64 (key_file, group, key, g_value_get_uint (value));
          break;
        case G_TYPE_UINT64:
          g_key_file_set_uint64 (key_file, group, key, g_value_get_uint64 (value));
          break;
        case G_TYPE_BOOLEAN:
          g_key_file_set_boolean (key_file, group, key, g_value_get_boolean (value));
          break;
        case G_TYPE_ENUM:
          {
            g_autoptr (GEnumClass) klass = g_type_class_ref (G_VALUE_TYPE (value));
            GEnumValue *enum_value = g_enum_get_value (klass, g_value_get_enum (value));

            g_assert (enum_value != NULL);
            g_key_file_set_string (key_file, group, key, enum_value->value_nick);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

static gboolean
read_key (GKeyFile   *key_file,
          const char *group,
          GParamSpec *pspec,
          GValue     *value,
          GError    **error)
{
  const char *key = pspec->name;
  GError     *local_error = NULL;

  switch (G_TYPE_FUNDAMENTAL (pspec->value_type))
    {
    case G_TYPE_STRING:
      g_value_take_string (value, g_key_file_get_string (key_file, group, key, &local_error));
      break;
    case G_TYPE_UINT:
    case G_TYPE_UINT64:
      {
        g_autofree char *text = g_key_file_get_value (key_file, group, key, &local_error);
        guint64          number = 0;

        if (text != NULL &&
            !g_ascii_string_to_unsigned (text, 10, 0,
                                         pspec->value_type == G_TYPE_UINT ? G_MAXUINT : G_MAXUINT64,
                                         &number, &local_error))
          break;
        if (pspec->value_type == G_TYPE_UINT)
          g_value_set_uint (value, number);
        else
          g_value_set_uint64 (value, number);
      }
      break;
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (value, g_key_file_get_boolean (key_file, group, key, &local_error));
      break;
    case G_TYPE_ENUM:
      {
        g_autoptr (GEnumClass) klass = g_type_class_ref (pspec->value_type);
        g_autofree char *nick = g_key_file_get_string (key_file, group, key, &local_error);
        GEnumValue      *enum_value;

        if (nick == NULL)
          break;
        enum_value = g_enum_get_value_by_nick (klass, nick);
        if (enum_value == NULL)
          {
            g_set_error (&local_error, MW_STORE_ERROR, MW_STORE_ERROR_CONFIG_CORRUPT,
                         _ ("“%s” is not a known value"), nick);
            break;
          }
        g_value_set_enum (value, enum_value->value);
      }
      break;
    default:
      g_assert_not_reached ();
    }

  if (local_error == NULL && g_param_value_validate (pspec, value))
    g_set_error (&local_error, MW_STORE_ERROR, MW_STORE_ERROR_CONFIG_CORRUPT,
                 _ ("The value is out of range"));

  if (local_error != NULL)
    {
      g_set_error (error, MW_STORE_ERROR, MW_STORE_ERROR_CONFIG_CORRUPT,
                   _ ("The setting “%s” of account “%s” cannot be read: %s"),
                   key, group, local_error->message);
      g_error_free (local_error);
      return FALSE;
    }

  return TRUE;
}

MwAccount *
mw_account_new_from_key_file (const char *id,
                              GKeyFile   *key_file,
                              const char *group,
                              GError    **error)
{
  g_autoptr (MwAccount) self = NULL;

  if (!mw_store_account_id_is_valid (id))
    {
      g_set_error (error, MW_STORE_ERROR, MW_STORE_ERROR_INVALID_NAME,
                   _ ("“%s” is not a valid account identifier"), id);
      return NULL;
    }

  self = mw_account_new (id);
  for (guint i = PROP_ID + 1; i < N_PROPS; i++)
    {
      g_auto (GValue) value = G_VALUE_INIT;

      if (!g_key_file_has_key (key_file, group, properties[i]->name, NULL))
        continue;

      g_value_init (&value, properties[i]->value_type);
      if (!read_key (key_file, group, properties[i], &value, error))
        return NULL;
      g_value_copy (&value, &self->values[i]);
    }

  return g_steal_pointer (&self);
}
