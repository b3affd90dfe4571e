/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scaler-aws-files.h: the AWS shared config and credentials files
 * (~/.aws/config, ~/.aws/credentials), read the way botocore reads them.
 *
 * Parsing follows Python's configparser.RawConfigParser as botocore uses it
 * (boto/botocore botocore/configloader.py raw_config_parse, load_config,
 * build_profile_map):
 *   - "key = value" and "key: value" (the first '=' or ':' splits); key
 *     names are lower-cased, section names are kept as written;
 *   - full-line comments start with '#' or ';' (also indented); there are no
 *     inline comments ("a = b # c" has the value "b # c");
 *   - a line indented deeper than its key continues the value; a value that
 *     starts with such a line is a nested block ("s3 =\n  k = v"), whose
 *     lines must each be "k = v";
 *   - [DEFAULT] gives every section defaults; a section may appear only once
 *     and a key only once per section (configparser's strict mode): anything
 *     else is a parse error naming the file and line, as botocore's
 *     ConfigParseError is;
 *   - in the config file, "[profile NAME]" (split like a shell: several
 *     spaces, quotes) and "[default]" are profiles, "[sso-session NAME]" and
 *     "[services NAME]" their own kinds; in the credentials file every
 *     section is a profile.
 * Paths: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (else ~/.aws/config
 * and ~/.aws/credentials), with $VAR / ${VAR} and ~ / ~user expanded as
 * os.path.expandvars and os.path.expanduser do. $HOME is read each time.
 *
 * Values may be secrets: their memory is overwritten when freed; nothing
 * here logs a value.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ScalerAwsIni   ScalerAwsIni;
typedef struct _ScalerAwsFiles ScalerAwsFiles;

/* One parsed INI text. @path is only used in messages. SCALER_ERROR_PARSE
 * with "<path>, line N: ..." for text botocore would refuse. */
ScalerAwsIni   *scaler_aws_ini_parse            (const char      *text,
                                                 gsize            length,
                                                 const char      *path,
                                                 GError         **error);
void            scaler_aws_ini_free             (ScalerAwsIni    *ini);
/* Section names in file order ([DEFAULT] is not a section). */
GStrv           scaler_aws_ini_dup_sections     (ScalerAwsIni    *ini);
/* key -> value of a section (with the [DEFAULT] keys), NULL if absent.
 * Owned by @ini. */
GHashTable     *scaler_aws_ini_get_section      (ScalerAwsIni    *ini,
                                                 const char      *section);
/* A nested block value ("\nk = v\n...") as key -> value; NULL (and no
 * error) when @value is not a nested block. */
GHashTable     *scaler_aws_ini_parse_nested     (const char      *value);

/* Python's os.path.expandvars + os.path.expanduser, in that order (as
 * botocore's raw_config_parse does). */
char           *scaler_aws_expand_path          (const char      *path);
/* The file botocore would read: $@variable expanded, else ~/.aws/@name. */
char           *scaler_aws_file_path            (const char      *variable,
                                                 const char      *name);

/* Both files. A missing file counts as empty; a file that cannot be read
 * or parsed is an error (SCALER_ERROR_IO / SCALER_ERROR_PARSE). */
ScalerAwsFiles *scaler_aws_files_load           (GError         **error);
ScalerAwsFiles *scaler_aws_files_load_paths     (const char      *config_path,
                                                 const char      *credentials_path,
                                                 GError         **error);
ScalerAwsFiles *scaler_aws_files_ref            (ScalerAwsFiles  *self);
void            scaler_aws_files_unref          (ScalerAwsFiles  *self);

const char     *scaler_aws_files_get_config_path      (ScalerAwsFiles *self);
const char     *scaler_aws_files_get_credentials_path (ScalerAwsFiles *self);

/* The profile as botocore's session.full_config has it: the config file's
 * profile, updated key by key by the credentials file's section of the same
 * name. NULL when neither file has it. */
GHashTable     *scaler_aws_files_get_profile    (ScalerAwsFiles  *self,
                                                 const char      *name);
/* Only the credentials file's [name] / only the config file's profile
 * (where botocore's SharedCredentialProvider and ConfigProvider look for
 * static keys). NULL when absent. */
GHashTable     *scaler_aws_files_get_credentials_profile (ScalerAwsFiles *self,
                                                          const char     *name);
GHashTable     *scaler_aws_files_get_config_profile      (ScalerAwsFiles *self,
                                                          const char     *name);
/* [sso-session NAME] and [services NAME] of the config file. */
GHashTable     *scaler_aws_files_get_sso_session (ScalerAwsFiles *self,
                                                  const char     *name);
GHashTable     *scaler_aws_files_get_services   (ScalerAwsFiles  *self,
                                                 const char      *name);
/* Every profile name of both files, sorted, without duplicates. */
GStrv           scaler_aws_files_list_profiles  (ScalerAwsFiles  *self);

/* POSIX shell-like split (Python's shlex.split, as botocore uses it for
 * section names and credential_process). NULL + SCALER_ERROR_PARSE for an
 * unclosed quote or a trailing backslash. */
GStrv           scaler_aws_shlex_split          (const char      *text,
                                                 GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerAwsIni, scaler_aws_ini_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScalerAwsFiles, scaler_aws_files_unref)

G_END_DECLS
