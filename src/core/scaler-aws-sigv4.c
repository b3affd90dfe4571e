/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-aws-sigv4"

#include "config.h"

#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "scaler-error.h"
#include "scaler-http.h"
#include "scaler-aws-sigv4.h"

#define KEY_CACHE_MAX 8

typedef struct
{
  char *name;
  char *value;
} Header;

struct _ScalerSigv4Request
{
  char       *method;
  char       *path;
  char       *query;
  GPtrArray  *headers;   /* of Header* */
  GByteArray *payload;
};

typedef struct
{
  char   *id;       /* sha256(secret) hex + "/" + date; region/service are the signer's */
  guint8  key[32];
} CachedKey;

struct _ScalerSigner
{
  char      *region;
  char      *service;
  gint64     clock_offset;   /* atomic */
  GMutex     mutex;
  GPtrArray *cache;          /* of CachedKey*, most recent last */
  guint      derivations;
};

static EVP_MAC *hmac_impl;
static EVP_MD *sha256_impl;

static void
ensure_crypto (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      hmac_impl = EVP_MAC_fetch (NULL, "HMAC", NULL);
      sha256_impl = EVP_MD_fetch (NULL, "SHA256", NULL);
      if (hmac_impl == NULL || sha256_impl == NULL)
        g_error ("OpenSSL has no HMAC or SHA256 implementation");
      g_once_init_leave (&initialized, 1);
    }
}

static void
hmac_sha256 (const void *key,
             gsize       key_len,
             const void *data,
             gsize       data_len,
             guint8      out[32])
{
  EVP_MAC_CTX *ctx;
  OSSL_PARAM params[2];
  size_t out_len = 0;

  ensure_crypto ();
  ctx = EVP_MAC_CTX_new (hmac_impl);
  params[0] = OSSL_PARAM_construct_utf8_string (OSSL_MAC_PARAM_DIGEST, (char *) "SHA256", 0);
  params[1] = OSSL_PARAM_construct_end ();
  if (ctx == NULL ||
      !EVP_MAC_init (ctx, key, key_len, params) ||
      !EVP_MAC_update (ctx, data, data_len) ||
      !EVP_MAC_final (ctx, out, &out_len, 32) ||
      out_len != 32)
    g_error ("OpenSSL HMAC-SHA256 failed");
  EVP_MAC_CTX_free (ctx);
}

static void
sha256 (const void *data,
        gsize       length,
        guint8      out[32])
{
  unsigned int out_len = 0;

  ensure_crypto ();
  if (!EVP_Digest (data, length, out, &out_len, sha256_impl, NULL) || out_len != 32)
    g_error ("OpenSSL SHA-256 failed");
}

static char *
hex_encode (const guint8 *data,
            gsize         length)
{
  static const char hex[] = "0123456789abcdef";
  char *out = g_malloc (length * 2 + 1);

  for (gsize i = 0; i < length; i++)
    {
      out[2 * i] = hex[data[i] >> 4];
      out[2 * i + 1] = hex[data[i] & 0xF];
    }
  out[length * 2] = '\0';

  return out;
}

char *
scaler_sigv4_sha256_hex (const void *data,
                         gsize       length)
{
  guint8 digest[32];

  sha256 (data != NULL ? data : "", length, digest);

  return hex_encode (digest, sizeof digest);
}

void
scaler_sigv4_derive_key (const char *secret_access_key,
                         const char *datestamp,
                         const char *region,
                         const char *service,
                         guint8      out[32])
{
  g_autofree char *k_secret = NULL;
  guint8 k_date[32];
  guint8 k_region[32];
  guint8 k_service[32];

  g_return_if_fail (secret_access_key != NULL);
  g_return_if_fail (datestamp != NULL);
  g_return_if_fail (region != NULL);
  g_return_if_fail (service != NULL);

  k_secret = g_strconcat ("AWS4", secret_access_key, NULL);
  hmac_sha256 (k_secret, strlen (k_secret), datestamp, strlen (datestamp), k_date);
  hmac_sha256 (k_date, 32, region, strlen (region), k_region);
  hmac_sha256 (k_region, 32, service, strlen (service), k_service);
  hmac_sha256 (k_service, 32, "aws4_request", strlen ("aws4_request"), out);

  OPENSSL_cleanse (k_secret, strlen (k_secret));
  OPENSSL_cleanse (k_date, sizeof k_date);
  OPENSSL_cleanse (k_region, sizeof k_region);
  OPENSSL_cleanse (k_service, sizeof k_service);
}

char *
scaler_sigv4_format_amz_date (gint64 time_usec)
{
  time_t t = (time_t) (time_usec / G_USEC_PER_SEC);
  struct tm tm;
  char buf[32];

  if (time_usec < 0 && time_usec % G_USEC_PER_SEC != 0)
    t -= 1;
  gmtime_r (&t, &tm);
  strftime (buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);

  return g_strdup (buf);
}

/* --- request --- */

static void
header_free (Header *header)
{
  g_free (header->name);
  g_free (header->value);
  g_free (header);
}

ScalerSigv4Request *
scaler_sigv4_request_new (const char *method,
                          const char *path,
                          const char *query)
{
  ScalerSigv4Request *request;

  g_return_val_if_fail (method != NULL, NULL);

  request = g_new0 (ScalerSigv4Request, 1);
  request->method = g_ascii_strup (method, -1);
  request->path = g_strdup (path != NULL && *path != '\0' ? path : "/");
  request->query = g_strdup (query != NULL ? query : "");
  request->headers = g_ptr_array_new_with_free_func ((GDestroyNotify) header_free);
  request->payload = g_byte_array_new ();

  return request;
}

void
scaler_sigv4_request_free (ScalerSigv4Request *request)
{
  if (request == NULL)
    return;

  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  g_ptr_array_unref (request->headers);
  g_byte_array_unref (request->payload);
  g_free (request);
}

void
scaler_sigv4_request_add_header (ScalerSigv4Request *request,
                                 const char         *name,
                                 const char         *value)
{
  Header *header;

  g_return_if_fail (request != NULL);
  g_return_if_fail (name != NULL);

  header = g_new0 (Header, 1);
  header->name = g_strdup (name);
  header->value = g_strdup (value != NULL ? value : "");
  g_ptr_array_add (request->headers, header);
}

void
scaler_sigv4_request_set_payload (ScalerSigv4Request *request,
                                  const void         *payload,
                                  gsize               length)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (payload != NULL || length == 0);

  g_byte_array_set_size (request->payload, 0);
  if (length > 0)
    g_byte_array_append (request->payload, payload, length);
}

static const char *
request_find_header (const ScalerSigv4Request *request,
                     const char               *name)
{
  for (guint i = 0; i < request->headers->len; i++)
    {
      const Header *header = g_ptr_array_index (request->headers, i);

      if (g_ascii_strcasecmp (header->name, name) == 0)
        return header->value;
    }

  return NULL;
}

/* --- canonical pieces --- */

char *
scaler_sigv4_canonical_path (const char *path,
                             gboolean    normalize)
{
  GString *out = g_string_new (NULL);

  if (path == NULL || *path == '\0')
    path = "/";

  if (normalize)
    {
      g_auto(GStrv) parts = g_strsplit (path, "/", -1);
      g_autoptr(GPtrArray) stack = g_ptr_array_new ();
      gsize len = strlen (path);
      gboolean trailing;

      /* A path ending in "/", "/." or "/.." keeps a trailing slash. */
      trailing = path[len - 1] == '/' ||
                 g_str_has_suffix (path, "/.") ||
                 g_str_has_suffix (path, "/..");

      for (guint i = 0; parts[i] != NULL; i++)
        {
          if (*parts[i] == '\0' || strcmp (parts[i], ".") == 0)
            continue;
          if (strcmp (parts[i], "..") == 0)
            {
              if (stack->len > 0)
                g_ptr_array_remove_index (stack, stack->len - 1);
              continue;
            }
          g_ptr_array_add (stack, parts[i]);
        }

      g_string_append_c (out, '/');
      for (guint i = 0; i < stack->len; i++)
        {
          if (i > 0)
            g_string_append_c (out, '/');
          scaler_http_append_uri_encoded (out, g_ptr_array_index (stack, i), -1, FALSE);
        }
      if (trailing && stack->len > 0)
        g_string_append_c (out, '/');
    }
  else
    {
      if (*path != '/')
        g_string_append_c (out, '/');
      scaler_http_append_uri_encoded (out, path, -1, TRUE);
    }

  return g_string_free (out, FALSE);
}

static char *
percent_decode (const char *s,
                gsize       len)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      if (s[i] == '%' && i + 2 < len &&
          g_ascii_isxdigit (s[i + 1]) && g_ascii_isxdigit (s[i + 2]))
        {
          g_string_append_c (out, (char) (g_ascii_xdigit_value (s[i + 1]) * 16 +
                                          g_ascii_xdigit_value (s[i + 2])));
          i += 2;
        }
      else
        g_string_append_c (out, s[i]);
    }

  return g_string_free (out, FALSE);
}

typedef struct
{
  char *name;
  char *value;
} QueryPair;

static int
query_pair_compare (gconstpointer a,
                    gconstpointer b)
{
  const QueryPair *pa = *(const QueryPair * const *) a;
  const QueryPair *pb = *(const QueryPair * const *) b;
  int r = strcmp (pa->name, pb->name);

  return r != 0 ? r : strcmp (pa->value, pb->value);
}

static void
query_pair_free (QueryPair *pair)
{
  g_free (pair->name);
  g_free (pair->value);
  g_free (pair);
}

char *
scaler_sigv4_canonical_query (const char *query)
{
  g_autoptr(GPtrArray) pairs = NULL;
  GString *out;
  const char *p;

  if (query == NULL || *query == '\0')
    return g_strdup ("");

  pairs = g_ptr_array_new_with_free_func ((GDestroyNotify) query_pair_free);
  p = query;
  while (*p != '\0')
    {
      const char *end = strchr (p, '&');
      const char *eq;
      gsize len = end != NULL ? (gsize) (end - p) : strlen (p);

      if (len > 0)
        {
          QueryPair *pair = g_new0 (QueryPair, 1);
          g_autofree char *raw_name = NULL;
          g_autofree char *raw_value = NULL;
          GString *enc;

          eq = memchr (p, '=', len);
          if (eq != NULL)
            {
              raw_name = percent_decode (p, (gsize) (eq - p));
              raw_value = percent_decode (eq + 1, len - (gsize) (eq - p) - 1);
            }
          else
            {
              raw_name = percent_decode (p, len);
              raw_value = g_strdup ("");
            }
          enc = g_string_new (NULL);
          scaler_http_append_uri_encoded (enc, raw_name, -1, FALSE);
          pair->name = g_string_free (enc, FALSE);
          enc = g_string_new (NULL);
          scaler_http_append_uri_encoded (enc, raw_value, -1, FALSE);
          pair->value = g_string_free (enc, FALSE);
          g_ptr_array_add (pairs, pair);
        }
      if (end == NULL)
        break;
      p = end + 1;
    }

  g_ptr_array_sort (pairs, query_pair_compare);

  out = g_string_new (NULL);
  for (guint i = 0; i < pairs->len; i++)
    {
      const QueryPair *pair = g_ptr_array_index (pairs, i);

      if (i > 0)
        g_string_append_c (out, '&');
      g_string_append (out, pair->name);
      g_string_append_c (out, '=');
      g_string_append (out, pair->value);
    }

  return g_string_free (out, FALSE);
}

/* Trim and collapse runs of whitespace into one space. */
static void
append_trimmed_value (GString    *out,
                      const char *value)
{
  gboolean pending_space = FALSE;
  gboolean any = FALSE;

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        {
          pending_space = any;
          continue;
        }
      if (pending_space)
        g_string_append_c (out, ' ');
      pending_space = FALSE;
      any = TRUE;
      g_string_append_c (out, *p);
    }
}

typedef struct
{
  char    *name;   /* lower case */
  GString *value;
} CanonicalHeader;

static int
canonical_header_compare (gconstpointer a,
                          gconstpointer b)
{
  const CanonicalHeader *ha = *(const CanonicalHeader * const *) a;
  const CanonicalHeader *hb = *(const CanonicalHeader * const *) b;

  return strcmp (ha->name, hb->name);
}

static void
canonical_header_free (CanonicalHeader *header)
{
  g_free (header->name);
  g_string_free (header->value, TRUE);
  g_free (header);
}

/* --- signer --- */

static void
cached_key_free (CachedKey *entry)
{
  OPENSSL_cleanse (entry->key, sizeof entry->key);
  g_free (entry->id);
  g_free (entry);
}

ScalerSigner *
scaler_signer_new (const char *region,
                   const char *service)
{
  ScalerSigner *self;

  g_return_val_if_fail (region != NULL && *region != '\0', NULL);
  g_return_val_if_fail (service != NULL && *service != '\0', NULL);

  ensure_crypto ();

  self = g_new0 (ScalerSigner, 1);
  self->region = g_strdup (region);
  self->service = g_strdup (service);
  g_mutex_init (&self->mutex);
  self->cache = g_ptr_array_new_with_free_func ((GDestroyNotify) cached_key_free);

  return self;
}

void
scaler_signer_free (ScalerSigner *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->cache);
  g_mutex_clear (&self->mutex);
  g_free (self->region);
  g_free (self->service);
  g_free (self);
}

const char *
scaler_signer_get_region (ScalerSigner *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->region;
}

const char *
scaler_signer_get_service (ScalerSigner *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->service;
}

void
scaler_signer_set_clock_offset (ScalerSigner *self,
                                gint64        offset_usec)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->clock_offset = offset_usec;
  g_mutex_unlock (&self->mutex);
}

gint64
scaler_signer_get_clock_offset (ScalerSigner *self)
{
  gint64 offset;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  offset = self->clock_offset;
  g_mutex_unlock (&self->mutex);

  return offset;
}

gint64
scaler_signer_now (ScalerSigner *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return g_get_real_time () + scaler_signer_get_clock_offset (self);
}

void
scaler_signer_get_signing_key (ScalerSigner *self,
                               const char   *secret_access_key,
                               const char   *datestamp,
                               guint8        out[32])
{
  g_autofree char *secret_hash = NULL;
  g_autofree char *id = NULL;
  CachedKey *entry;

  g_return_if_fail (self != NULL);
  g_return_if_fail (secret_access_key != NULL);
  g_return_if_fail (datestamp != NULL);

  /* The cache is keyed by a hash of the secret, never the secret itself. */
  secret_hash = scaler_sigv4_sha256_hex (secret_access_key, strlen (secret_access_key));
  id = g_strconcat (secret_hash, "/", datestamp, NULL);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->cache->len; i++)
    {
      entry = g_ptr_array_index (self->cache, i);
      if (strcmp (entry->id, id) == 0)
        {
          memcpy (out, entry->key, 32);
          g_mutex_unlock (&self->mutex);
          return;
        }
    }
  g_mutex_unlock (&self->mutex);

  entry = g_new0 (CachedKey, 1);
  entry->id = g_steal_pointer (&id);
  scaler_sigv4_derive_key (secret_access_key, datestamp, self->region, self->service, entry->key);
  memcpy (out, entry->key, 32);

  g_mutex_lock (&self->mutex);
  self->derivations++;
  if (self->cache->len >= KEY_CACHE_MAX)
    g_ptr_array_remove_index (self->cache, 0);
  g_ptr_array_add (self->cache, entry);
  g_mutex_unlock (&self->mutex);
}

guint
scaler_signer_get_key_derivations (ScalerSigner *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  n = self->derivations;
  g_mutex_unlock (&self->mutex);

  return n;
}

static gboolean
amz_date_is_valid (const char *amz_date)
{
  if (amz_date == NULL || strlen (amz_date) != 16 || amz_date[8] != 'T' || amz_date[15] != 'Z')
    return FALSE;
  for (guint i = 0; i < 15; i++)
    if (i != 8 && !g_ascii_isdigit (amz_date[i]))
      return FALSE;

  return TRUE;
}

/* The X-Amz-Date of the request, or one made from @time_usec (0: the
 * signer's clock, read once: the date header and the scope come from it). */
static char *
request_amz_date (ScalerSigner              *self,
                  const ScalerSigv4Request  *request,
                  gint64                     time_usec,
                  GError                   **error)
{
  const char *date_header = request_find_header (request, "x-amz-date");

  if (date_header == NULL)
    return scaler_sigv4_format_amz_date (time_usec != 0 ? time_usec : scaler_signer_now (self));

  if (!amz_date_is_valid (date_header))
    {
      g_set_error (error, SCALER_ERROR, SCALER_ERROR_FAILED,
                   "SigV4: X-Amz-Date \"%s\" is not YYYYMMDDTHHMMSSZ", date_header);
      return NULL;
    }
  return g_strdup (date_header);
}

static void
canonical_headers_add (GPtrArray  *canon,
                       GHashTable *index,
                       const char *name,
                       const char *value)
{
  g_autofree char *lower = g_strstrip (g_ascii_strdown (name, -1));
  CanonicalHeader *ch = g_hash_table_lookup (index, lower);

  if (ch == NULL)
    {
      ch = g_new0 (CanonicalHeader, 1);
      ch->name = g_steal_pointer (&lower);
      ch->value = g_string_new (NULL);
      g_ptr_array_add (canon, ch);
      g_hash_table_insert (index, ch->name, ch);
    }
  else
    g_string_append_c (ch->value, ',');
  append_trimmed_value (ch->value, value);
}

/* Step 1: the canonical headers, "name:value\n" sorted by name, repeated
 * names merged in order with ','; @amz_date and @token are signed as
 * X-Amz-Date and X-Amz-Security-Token when not NULL. The signed header names
 * ("a;b;c") go to @signed_headers. */
static char *
canonical_headers (const ScalerSigv4Request  *request,
                   const char                *amz_date,
                   const char                *token,
                   char                     **signed_headers)
{
  g_autoptr(GPtrArray) canon = g_ptr_array_new_with_free_func ((GDestroyNotify) canonical_header_free);
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  GString *block = g_string_new (NULL);
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < request->headers->len; i++)
    {
      const Header *h = g_ptr_array_index (request->headers, i);

      canonical_headers_add (canon, index, h->name, h->value);
    }
  if (amz_date != NULL)
    canonical_headers_add (canon, index, "x-amz-date", amz_date);
  if (token != NULL)
    canonical_headers_add (canon, index, "x-amz-security-token", token);
  g_ptr_array_sort (canon, canonical_header_compare);

  for (guint i = 0; i < canon->len; i++)
    {
      const CanonicalHeader *ch = g_ptr_array_index (canon, i);

      g_string_append_printf (block, "%s:%s\n", ch->name, ch->value->str);
      if (i > 0)
        g_string_append_c (names, ';');
      g_string_append (names, ch->name);
    }
  *signed_headers = g_string_free (names, FALSE);
  return g_string_free (block, FALSE);
}

char *
scaler_sigv4_canonical_request (const char *method,
                                const char *canonical_path,
                                const char *canonical_query,
                                const char *canonical_headers,
                                const char *signed_headers,
                                const char *payload_hash)
{
  g_return_val_if_fail (method != NULL && canonical_path != NULL && canonical_query != NULL, NULL);
  g_return_val_if_fail (canonical_headers != NULL && signed_headers != NULL && payload_hash != NULL, NULL);

  return g_strdup_printf ("%s\n%s\n%s\n%s\n%s\n%s", method, canonical_path, canonical_query,
                          canonical_headers, signed_headers, payload_hash);
}

char *
scaler_sigv4_string_to_sign (const char *amz_date,
                             const char *credential_scope,
                             const char *canonical_request)
{
  g_autofree char *creq_hash = NULL;

  g_return_val_if_fail (amz_date != NULL && credential_scope != NULL && canonical_request != NULL, NULL);

  creq_hash = scaler_sigv4_sha256_hex (canonical_request, strlen (canonical_request));
  return g_strdup_printf (SCALER_SIGV4_ALGORITHM "\n%s\n%s\n%s", amz_date, credential_scope, creq_hash);
}

char *
scaler_sigv4_signature (const guint8  signing_key[32],
                        const char   *string_to_sign)
{
  guint8 sig[32];

  g_return_val_if_fail (signing_key != NULL && string_to_sign != NULL, NULL);

  hmac_sha256 (signing_key, 32, string_to_sign, strlen (string_to_sign), sig);
  return hex_encode (sig, sizeof sig);
}

char *
scaler_sigv4_authorization (const char *access_key_id,
                            const char *credential_scope,
                            const char *signed_headers,
                            const char *signature)
{
  g_return_val_if_fail (access_key_id != NULL && credential_scope != NULL, NULL);
  g_return_val_if_fail (signed_headers != NULL && signature != NULL, NULL);

  return g_strdup_printf (SCALER_SIGV4_ALGORITHM " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                          access_key_id, credential_scope, signed_headers, signature);
}

ScalerSigv4Result *
scaler_signer_sign (ScalerSigner               *self,
                    const ScalerAwsCredentials *credentials,
                    const ScalerSigv4Request   *request,
                    gint64                      time_usec,
                    GError                    **error)
{
  g_autoptr(ScalerSigv4Result) result = NULL;
  g_autoptr(GPtrArray) extra = NULL;
  g_autofree char *headers_block = NULL;
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;
  g_autofree char *payload_hash = NULL;
  g_autofree char *datestamp = NULL;
  gboolean date_added;
  const char *token = NULL;
  guint8 key[32];

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (credentials != NULL, NULL);
  g_return_val_if_fail (credentials->access_key_id != NULL, NULL);
  g_return_val_if_fail (credentials->secret_access_key != NULL, NULL);
  g_return_val_if_fail (request != NULL, NULL);

  if (request_find_header (request, "host") == NULL)
    {
      g_set_error_literal (error, SCALER_ERROR, SCALER_ERROR_FAILED,
                           "SigV4: the request has no Host header");
      return NULL;
    }

  result = g_new0 (ScalerSigv4Result, 1);
  result->amz_date = request_amz_date (self, request, time_usec, error);
  if (result->amz_date == NULL)
    return NULL;
  date_added = request_find_header (request, "x-amz-date") == NULL;
  datestamp = g_strndup (result->amz_date, 8);
  result->credential_scope = g_strdup_printf ("%s/%s/%s/aws4_request",
                                              datestamp, self->region, self->service);
  if (credentials->session_token != NULL && *credentials->session_token != '\0' &&
      request_find_header (request, "x-amz-security-token") == NULL)
    token = credentials->session_token;

  /* Steps 1 and 2: the canonical request. */
  headers_block = canonical_headers (request, date_added ? result->amz_date : NULL, token,
                                     &result->signed_headers);
  path = scaler_sigv4_canonical_path (request->path, strcmp (self->service, "s3") != 0);
  query = scaler_sigv4_canonical_query (request->query);
  payload_hash = scaler_sigv4_sha256_hex (request->payload->data, request->payload->len);
  result->canonical_request = scaler_sigv4_canonical_request (request->method, path, query, headers_block,
                                                              result->signed_headers, payload_hash);

  /* Step 3: the string to sign; step 4: the signature and its header. */
  result->string_to_sign = scaler_sigv4_string_to_sign (result->amz_date, result->credential_scope,
                                                        result->canonical_request);
  scaler_signer_get_signing_key (self, credentials->secret_access_key, datestamp, key);
  result->signature = scaler_sigv4_signature (key, result->string_to_sign);
  OPENSSL_cleanse (key, sizeof key);
  result->authorization = scaler_sigv4_authorization (credentials->access_key_id, result->credential_scope,
                                                      result->signed_headers, result->signature);

  extra = g_ptr_array_new_with_free_func (g_free);
  if (date_added)
    g_ptr_array_add (extra, g_strconcat ("X-Amz-Date: ", result->amz_date, NULL));
  if (token != NULL)
    g_ptr_array_add (extra, g_strconcat ("X-Amz-Security-Token: ", token, NULL));
  g_ptr_array_add (extra, g_strconcat ("Authorization: ", result->authorization, NULL));
  g_ptr_array_add (extra, NULL);
  result->extra_headers = (GStrv) g_ptr_array_free (g_steal_pointer (&extra), FALSE);

  return g_steal_pointer (&result);
}

void
scaler_sigv4_result_free (ScalerSigv4Result *result)
{
  if (result == NULL)
    return;

  g_free (result->amz_date);
  g_free (result->credential_scope);
  g_free (result->canonical_request);
  g_free (result->string_to_sign);
  g_free (result->signed_headers);
  g_free (result->signature);
  g_free (result->authorization);
  g_strfreev (result->extra_headers);
  g_free (result);
}
