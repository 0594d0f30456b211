#!/bin/sh
# novajoin-enroll: enroll this instance in FreeIPA with the one-time password
# that novajoin put into nova's vendor_data2.json under the key "join".
#
# vendor_data2.json is read from the config drive (filesystem labelled
# config-2) when the instance has one, else from the metadata service, with
# bounded retries. ipa-client-install runs only when the join entry carries
# an OTP and the host is not enrolled yet.
#
# Exit status: 0 enrolled, already enrolled, or enrollment not requested;
# 1 enrollment failed; 2 invalid settings.
#
# Settings (environment variables, all optional; doc/source/cloud-init/index.rst):
#   NOVAJOIN_METADATA_URL        base URL    [http://169.254.169.254/openstack]
#   NOVAJOIN_METADATA_VERSIONS   versions tried in order  [latest 2016-10-06]
#   NOVAJOIN_CONFIG_DRIVE_DIR    directory holding the config drive contents
#                                (skips device discovery and mounting)
#   NOVAJOIN_CONFIG_DRIVE_DEVICE config drive device or image; "none" skips
#                                the config drive      [found by label]
#   NOVAJOIN_CONFIG_DRIVE_MOUNT  where to mount it     [temporary directory]
#   NOVAJOIN_FETCH_ATTEMPTS      metadata service attempts              [10]
#   NOVAJOIN_BACKOFF_INITIAL_MS  first wait between attempts, ms      [1000]
#   NOVAJOIN_BACKOFF_MAX_MS      longest wait between attempts, ms   [30000]
#   NOVAJOIN_HTTP_TIMEOUT        seconds per metadata request           [10]
#   NOVAJOIN_IPA_CLIENT_OPTIONS  extra ipa-client-install options, split on
#                                spaces (e.g. "--mkhomedir")            []
#   NOVAJOIN_INSTALL_CLIENT      install the IPA client package when
#                                ipa-client-install is missing (yes/no) [yes]
#   NOVAJOIN_LOG                 log file   [/var/log/novajoin-enroll.log]
#   NOVAJOIN_IPA_DEFAULT_CONF    enrollment marker  [/etc/ipa/default.conf]
#   NOVAJOIN_KEYTAB              enrollment marker  [/etc/krb5.keytab]

set -u
umask 077
LC_ALL=C
export LC_ALL
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
export PATH

metadata_url=${NOVAJOIN_METADATA_URL:-http://169.254.169.254/openstack}
metadata_versions=${NOVAJOIN_METADATA_VERSIONS:-latest 2016-10-06}
config_drive_dir=${NOVAJOIN_CONFIG_DRIVE_DIR:-}
config_drive_device=${NOVAJOIN_CONFIG_DRIVE_DEVICE:-}
config_drive_mount=${NOVAJOIN_CONFIG_DRIVE_MOUNT:-}
fetch_attempts=${NOVAJOIN_FETCH_ATTEMPTS:-10}
backoff_initial_ms=${NOVAJOIN_BACKOFF_INITIAL_MS:-1000}
backoff_max_ms=${NOVAJOIN_BACKOFF_MAX_MS:-30000}
http_timeout=${NOVAJOIN_HTTP_TIMEOUT:-10}
ipa_client_options=${NOVAJOIN_IPA_CLIENT_OPTIONS:-}
install_client=${NOVAJOIN_INSTALL_CLIENT:-yes}
log_file=${NOVAJOIN_LOG:-/var/log/novajoin-enroll.log}
ipa_default_conf=${NOVAJOIN_IPA_DEFAULT_CONF:-/etc/ipa/default.conf}
keytab=${NOVAJOIN_KEYTAB:-/etc/krb5.keytab}

workdir=
mounted_dir=
created_mount_dir=

log() {
    line="$(date -u '+%Y-%m-%dT%H:%M:%SZ') novajoin-enroll: $*"
    printf '%s\n' "$line" >&2
    printf '%s\n' "$line" 2>/dev/null >>"$log_file"
}

fail() {
    log "ERROR: $*"
    exit 1
}

invalid_setting() {
    log "ERROR: invalid setting: $*"
    exit 2
}

cleanup() {
    unmount_config_drive
    [ -n "$workdir" ] && rm -rf "$workdir"
    workdir=
}

require_count() {
    # $1 setting name, $2 value, $3 smallest allowed value
    case $2 in
        '' | *[!0-9]*) invalid_setting "$1=$2 is not a whole number" ;;
    esac
    [ "$2" -ge "$3" ] || invalid_setting "$1=$2 is below $3"
}

check_settings() {
    require_count NOVAJOIN_FETCH_ATTEMPTS "$fetch_attempts" 1
    require_count NOVAJOIN_BACKOFF_INITIAL_MS "$backoff_initial_ms" 0
    require_count NOVAJOIN_BACKOFF_MAX_MS "$backoff_max_ms" 0
    require_count NOVAJOIN_HTTP_TIMEOUT "$http_timeout" 1
    case $install_client in
        yes | no) ;;
        *) invalid_setting "NOVAJOIN_INSTALL_CLIENT=$install_client is not yes or no" ;;
    esac
    case " $ipa_client_options " in
        *" --force-join "*)
            log "WARNING: NOVAJOIN_IPA_CLIENT_OPTIONS contains --force-join:" \
                "an existing IPA host of the same name will be taken over" ;;
    esac
}

is_enrolled() {
    [ -s "$ipa_default_conf" ] && [ -s "$keytab" ]
}

# --- finding vendor_data2.json ----------------------------------------------

copy_vendor_data_from_dir() {
    # $1 the root of a config drive; copies the newest vendor_data2.json
    for version in $metadata_versions; do
        candidate="$1/openstack/$version/vendor_data2.json"
        if [ -f "$candidate" ]; then
            cp "$candidate" "$workdir/vendor_data2.json" \
                || fail "cannot read $candidate"
            vendor_data_source=$candidate
            return 0
        fi
    done
    return 1
}

find_config_drive_device() {
    # nova labels the drive config-2; some ISO tools upper-case labels.
    for label in config-2 CONFIG-2; do
        if command -v blkid >/dev/null 2>&1; then
            found=$(blkid -l -o device -t "LABEL=$label" 2>/dev/null)
            if [ -n "$found" ]; then
                printf '%s\n' "$found"
                return 0
            fi
        fi
        if [ -e "/dev/disk/by-label/$label" ]; then
            printf '%s\n' "/dev/disk/by-label/$label"
            return 0
        fi
    done
    return 1
}

unmount_config_drive() {
    [ -n "$mounted_dir" ] || return 0
    if umount "$mounted_dir"; then
        log "unmounted config drive from $mounted_dir"
        [ -n "$created_mount_dir" ] && rmdir "$created_mount_dir"
    else
        log "WARNING: could not unmount config drive from $mounted_dir"
    fi
    mounted_dir=
    created_mount_dir=
}

existing_mount_point() {
    # $1 device; prints where it is mounted already, if anywhere
    real_device=$(readlink -f "$1" 2>/dev/null) || real_device=$1
    awk -v dev="$real_device" \
        '$1 == dev && $2 !~ /\\/ { print $2; exit }' /proc/mounts 2>/dev/null
}

read_config_drive() {
    # Returns 1 when there is no usable config drive.
    if [ -n "$config_drive_dir" ]; then
        [ -d "$config_drive_dir" ] \
            || fail "NOVAJOIN_CONFIG_DRIVE_DIR=$config_drive_dir is not a directory"
        copy_vendor_data_from_dir "$config_drive_dir" && return 0
        log "no vendor_data2.json on the config drive at $config_drive_dir"
        return 1
    fi
    if [ -n "$config_drive_device" ]; then
        [ "$config_drive_device" = none ] && return 1
        [ -e "$config_drive_device" ] \
            || fail "NOVAJOIN_CONFIG_DRIVE_DEVICE=$config_drive_device does not exist"
        device=$config_drive_device
    else
        device=$(find_config_drive_device) || return 1
    fi

    mount_point=$(existing_mount_point "$device")
    if [ -n "$mount_point" ]; then
        log "config drive $device is mounted at $mount_point"
    else
        if [ -n "$config_drive_mount" ]; then
            mkdir -p "$config_drive_mount" \
                || fail "cannot create $config_drive_mount"
            mount_point=$config_drive_mount
        else
            mount_point=$(mktemp -d "${TMPDIR:-/tmp}/novajoin-config-drive.XXXXXX") \
                || fail "cannot create a mount point for the config drive"
            created_mount_dir=$mount_point
        fi
        if ! mount -o ro "$device" "$mount_point"; then
            log "WARNING: cannot mount config drive $device read-only;" \
                "trying the metadata service"
            [ -n "$created_mount_dir" ] && rmdir "$created_mount_dir"
            created_mount_dir=
            return 1
        fi
        mounted_dir=$mount_point
        log "mounted config drive $device read-only at $mount_point"
    fi

    copy_vendor_data_from_dir "$mount_point"
    found=$?
    # Unmount as soon as the file is copied: nothing else needs the drive.
    unmount_config_drive
    [ "$found" -eq 0 ] && return 0
    log "no vendor_data2.json on config drive $device"
    return 1
}

random_below() {
    # $1 bound (> 0); prints a random integer in [0, $1)
    r=$(od -An -N4 -tu4 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$((r % $1))"
}

sleep_ms() {
    sleep "$(($1 / 1000)).$(printf '%03d' "$(($1 % 1000))")"
}

http_get() {
    # $1 URL, $2 output file; prints the HTTP status, 000 for no answer
    curl --silent --noproxy '*' --max-time "$http_timeout" \
        --output "$2" --write-out '%{http_code}' "$1" 2>/dev/null
}

fetch_from_metadata_service() {
    # Returns 0 with the file in $workdir, 1 when the service never answered
    # usefully, 3 when it answered that no version has vendor_data2.json.
    command -v curl >/dev/null 2>&1 \
        || fail "curl is needed to reach the metadata service and is missing"
    attempt=1
    delay_ms=$backoff_initial_ms
    [ "$delay_ms" -gt "$backoff_max_ms" ] && delay_ms=$backoff_max_ms
    while :; do
        all_missing=yes
        for version in $metadata_versions; do
            url="$metadata_url/$version/vendor_data2.json"
            status=$(http_get "$url" "$workdir/vendor_data2.json")
            case $status in
                200)
                    vendor_data_source=$url
                    return 0 ;;
                404)
                    log "no vendor_data2.json at $url" ;;
                000 | '')
                    all_missing=no
                    log "attempt $attempt/$fetch_attempts: no answer from $url"
                    break ;;
                *)
                    all_missing=no
                    log "attempt $attempt/$fetch_attempts: $url answered HTTP $status"
                    break ;;
            esac
        done
        [ "$all_missing" = yes ] && return 3
        [ "$attempt" -ge "$fetch_attempts" ] && return 1
        # Equal jitter: wait between half and all of the current delay, so
        # instances booted together spread out their retries.
        half_ms=$((delay_ms / 2))
        wait_ms=$((half_ms + $(random_below $((delay_ms - half_ms + 1)))))
        log "retrying in ${wait_ms} ms"
        sleep_ms "$wait_ms"
        delay_ms=$((delay_ms * 2))
        [ "$delay_ms" -gt "$backoff_max_ms" ] && delay_ms=$backoff_max_ms
        attempt=$((attempt + 1))
    done
}

# --- reading the join entry -------------------------------------------------
#
# Both parsers print the same lines:
#   error <reason>           the document is not valid JSON or not an object
#   join absent|object|other
#   field <key> <value>      key is hostname, krb_realm or ipaotp and the
#                            value is a string of printable ASCII
#   badfield <key>           any other value for one of those keys

PYTHON_PARSER='
import json
import sys


def reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def main():
    try:
        text = sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError:
        return "error not UTF-8"
    try:
        doc = json.loads(text, parse_constant=reject_constant)
    except RecursionError:
        return "error nested too deeply"
    except ValueError as exc:
        return "error not valid JSON: %s" % exc
    if not isinstance(doc, dict):
        return "error the top level is not a JSON object"
    if "join" not in doc:
        return "join absent"
    join = doc["join"]
    if not isinstance(join, dict):
        return "join other"
    lines = ["join object"]
    for key in ("hostname", "krb_realm", "ipaotp"):
        if key not in join:
            continue
        value = join[key]
        if isinstance(value, str) and all(" " <= c <= "~" for c in value):
            lines.append("field %s %s" % (key, value))
        else:
            lines.append("badfield %s" % key)
    return "\n".join(lines)


print(main())
'

# A strict JSON reader in POSIX awk for guests without python3. It decodes
# escapes in names and strings, so "\u006aoin" is "join", and it reads the
# join entry only at the top level: look-alikes inside strings or nested
# objects are ignored.
# shellcheck disable=SC2016  # an awk program: its $ are awk's
AWK_PARSER='
function fail(msg) {
    if (!failed) { failed = 1; error = msg " at byte " p }
    return 0
}
function skip_ws() {
    while (p <= n && index(" \t\n\r", substr(s, p, 1)) > 0) p++
}
function parse_string(    out, rest, c, e, hex, cp, i, run) {
    p++
    out = ""
    str_printable = 1
    while (1) {
        rest = substr(s, p)
        if (!match(rest, /["\\]/)) return fail("unterminated string")
        run = substr(rest, 1, RSTART - 1)
        if (run ~ /[^ -~]/) {
            for (i = 1; i <= length(run); i++) {
                if (index(controls, substr(run, i, 1)) > 0)
                    return fail("control character in string")
            }
            str_printable = 0
        }
        out = out run
        p += RSTART - 1
        c = substr(s, p, 1)
        if (c == "\"") { p++; break }
        e = substr(s, p + 1, 1)
        if (e == "\"" || e == "\\" || e == "/") { out = out e; p += 2 }
        else if (e == "b" || e == "f" || e == "n" || e == "r" || e == "t") {
            out = out " "; str_printable = 0; p += 2
        }
        else if (e == "u") {
            hex = substr(s, p + 2, 4)
            if (hex !~ /^[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]$/)
                return fail("bad \\u escape")
            cp = 0
            for (i = 1; i <= 4; i++)
                cp = cp * 16 + index("0123456789abcdef", tolower(substr(hex, i, 1))) - 1
            if (cp >= 32 && cp <= 126) out = out sprintf("%c", cp)
            else { out = out "?"; str_printable = 0 }
            p += 6
        }
        else return fail("bad escape in string")
    }
    str_value = out
    value_kind = "string"
    return 1
}
function parse_number(    rest) {
    rest = substr(s, p)
    if (!match(rest, /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/))
        return fail("bad number")
    p += RLENGTH
    value_kind = "number"
    return 1
}
function parse_array(    c) {
    p++
    if (++depth > 128) return fail("nested too deeply")
    skip_ws()
    if (substr(s, p, 1) == "]") { p++; depth--; value_kind = "array"; return 1 }
    while (1) {
        if (!parse_value("")) return 0
        skip_ws()
        c = substr(s, p, 1)
        if (c == ",") { p++; continue }
        if (c == "]") { p++; break }
        return fail("expected , or ]")
    }
    depth--
    value_kind = "array"
    return 1
}
function parse_object(ctx,    c, key, is_join, is_field) {
    p++
    if (++depth > 128) return fail("nested too deeply")
    skip_ws()
    if (substr(s, p, 1) == "}") { p++; depth--; value_kind = "object"; return 1 }
    while (1) {
        skip_ws()
        if (substr(s, p, 1) != "\"") return fail("expected a member name")
        if (!parse_string()) return 0
        key = str_value
        skip_ws()
        if (substr(s, p, 1) != ":") return fail("expected :")
        p++
        is_join = (ctx == "top" && key == "join")
        is_field = (ctx == "join" && (key == "hostname" || key == "krb_realm" || key == "ipaotp"))
        if (is_join) {
            # A repeated "join" replaces the earlier one, as in python.
            delete field
            delete badfield
        }
        if (!parse_value(is_join ? "join" : "")) return 0
        if (is_join) join_kind = value_kind
        if (is_field) {
            if (value_kind == "string" && str_printable) {
                field[key] = str_value
                delete badfield[key]
            } else {
                badfield[key] = 1
                delete field[key]
            }
        }
        skip_ws()
        c = substr(s, p, 1)
        if (c == ",") { p++; continue }
        if (c == "}") { p++; break }
        return fail("expected , or }")
    }
    depth--
    value_kind = "object"
    return 1
}
function parse_value(ctx,    c) {
    skip_ws()
    if (p > n) return fail("unexpected end of document")
    c = substr(s, p, 1)
    if (c == "{") return parse_object(ctx)
    if (c == "[") return parse_array()
    if (c == "\"") return parse_string()
    if (c == "-" || (c >= "0" && c <= "9")) return parse_number()
    if (substr(s, p, 4) == "true" || substr(s, p, 4) == "null") {
        p += 4; value_kind = "literal"; return 1
    }
    if (substr(s, p, 5) == "false") { p += 5; value_kind = "literal"; return 1 }
    return fail("unexpected character")
}
{ doc = doc $0 "\n" }
END {
    for (i = 1; i < 32; i++) controls = controls sprintf("%c", i)
    s = doc; n = length(s); p = 1; depth = 0; join_kind = ""
    ok = parse_value("top")
    if (ok) {
        skip_ws()
        if (p <= n) ok = fail("unexpected data after the document")
    }
    if (!ok) { print "error not valid JSON: " error; exit }
    if (value_kind != "object") { print "error the top level is not a JSON object"; exit }
    if (join_kind == "") { print "join absent"; exit }
    if (join_kind != "object") { print "join other"; exit }
    print "join object"
    split("hostname krb_realm ipaotp", keys, " ")
    for (i = 1; i <= 3; i++) {
        if (keys[i] in field) print "field " keys[i] " " field[keys[i]]
        else if (keys[i] in badfield) print "badfield " keys[i]
    }
}
'

parse_vendor_data() {
    # $1 vendor_data2.json, $2 output file for the parser lines
    if command -v python3 >/dev/null 2>&1; then
        python3 -I -c "$PYTHON_PARSER" <"$1" >"$2"
    else
        awk "$AWK_PARSER" <"$1" >"$2"
    fi || fail "could not parse vendor_data2.json from $vendor_data_source"
}

read_join_entry() {
    # Sets join_state, fqdn, realm, otp from the parser lines in $1.
    join_state=absent
    fqdn=
    realm=
    otp=
    while IFS= read -r line; do
        case $line in
            'error '*)
                fail "vendor_data2.json from $vendor_data_source is malformed: ${line#error }" ;;
            'join '*) join_state=${line#join } ;;
            'field hostname '*) fqdn=${line#field hostname } ;;
            'field krb_realm '*) realm=${line#field krb_realm } ;;
            'field ipaotp '*) otp=${line#field ipaotp } ;;
            'badfield '*)
                fail "join.${line#badfield } in $vendor_data_source is not a printable ASCII string" ;;
        esac
    done <"$1"
}

check_join_entry() {
    case $fqdn in
        '' ) fail "the join entry from $vendor_data_source has an OTP but no hostname" ;;
        *[!A-Za-z0-9.-]* | .* | *. | -* | *..* | *.-* | *-.*)
            fail "join.hostname '$fqdn' is not a valid host name" ;;
        *.*) ;;
        *) fail "join.hostname '$fqdn' is not fully qualified" ;;
    esac
    case $realm in
        '') fail "the join entry from $vendor_data_source has an OTP but no krb_realm" ;;
        *[!A-Za-z0-9._-]*) fail "join.krb_realm '$realm' is not a valid realm name" ;;
    esac
}

# --- installing and running the IPA client ----------------------------------

install_ipa_client() {
    [ "$install_client" = yes ] \
        || fail "ipa-client-install is missing and NOVAJOIN_INSTALL_CLIENT=no"
    # Fedora and RHEL each provide both names; ipa-client is the RHEL one.
    if command -v dnf >/dev/null 2>&1; then
        log "installing ipa-client with dnf"
        dnf install -y ipa-client >&2
    elif command -v yum >/dev/null 2>&1; then
        log "installing ipa-client with yum"
        yum install -y ipa-client >&2
    elif command -v apt-get >/dev/null 2>&1; then
        log "installing freeipa-client with apt-get"
        DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 \
            && DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -q freeipa-client >&2
    else
        fail "ipa-client-install is missing and there is no dnf, yum or apt-get"
    fi || fail "could not install the IPA client package"
    command -v ipa-client-install >/dev/null 2>&1 \
        || fail "the IPA client package did not provide ipa-client-install"
}

python_interpreter_of() {
    # $1 a program; prints its interpreter line when it is a Python script
    IFS= read -r first_line <"$1" || return 0
    case $first_line in
        '#!'*python*) printf '%s\n' "${first_line#\#!}" ;;
    esac
}

# ipa-client-install accepts the OTP only as --password (-W refuses to work
# with --unattended, and stdin is read only together with --principal). When
# ipa-client-install is a Python script, run it in an interpreter that reads
# the OTP from a pipe and appends it to sys.argv, so the OTP is not on any
# command line for the minutes the installation takes; only its short-lived
# ipa-join child gets it as an argument, which FreeIPA does not let us avoid.
OTP_FROM_STDIN='
import runpy
import sys
otp = sys.stdin.readline().rstrip("\n")
program = sys.argv[1]
sys.argv = [program] + sys.argv[2:] + ["--password", otp]
runpy.run_path(program, run_name="__main__")
'

run_ipa_client_install() {
    # "$@" are the ipa-client-install options without the password.
    program=$(command -v ipa-client-install)
    interpreter=$(python_interpreter_of "$program")
    if [ -n "$interpreter" ]; then
        # printf is a shell builtin: the OTP never becomes an argument here.
        # shellcheck disable=SC2086  # the interpreter line may carry flags
        printf '%s\n' "$otp" \
            | $interpreter -I -c "$OTP_FROM_STDIN" "$program" "$@"
    else
        "$program" "$@" --password "$otp"
    fi
}

enroll() {
    command -v ipa-client-install >/dev/null 2>&1 || install_ipa_client
    # shellcheck disable=SC2086  # options are space-separated on purpose
    set -- --unattended --hostname "$fqdn" --realm "$realm" $ipa_client_options
    log "running ipa-client-install $* --password (OTP not logged)"
    run_ipa_client_install "$@"
    status=$?
    [ "$status" -eq 0 ] || fail "ipa-client-install failed with exit" \
        "status $status; see /var/log/ipaclient-install.log"
    log "enrolled $fqdn in realm $realm"
}

main() {
    check_settings
    if is_enrolled; then
        log "already enrolled ($ipa_default_conf and $keytab exist): nothing to do"
        exit 0
    fi

    trap cleanup EXIT
    trap 'exit 1' HUP INT TERM
    workdir=$(mktemp -d "${TMPDIR:-/tmp}/novajoin-enroll.XXXXXX") \
        || fail "cannot create a private working directory"

    vendor_data_source=
    if read_config_drive; then
        log "read $vendor_data_source from the config drive"
    else
        fetch_from_metadata_service
        case $? in
            0) log "read $vendor_data_source" ;;
            3)
                log "the metadata service has no vendor_data2.json:" \
                    "enrollment not requested"
                exit 0 ;;
            *)
                fail "no vendor_data2.json from the metadata service at" \
                    "$metadata_url after $fetch_attempts attempts" ;;
        esac
    fi

    parse_vendor_data "$workdir/vendor_data2.json" "$workdir/join"
    rm -f "$workdir/vendor_data2.json"
    read_join_entry "$workdir/join"
    rm -f "$workdir/join"

    case $join_state in
        absent)
            log "no join entry in $vendor_data_source: enrollment not requested"
            exit 0 ;;
        other)
            fail "the join entry in $vendor_data_source is not a JSON object" ;;
    esac
    if [ -z "$otp" ]; then
        log "the join entry in $vendor_data_source has no OTP:" \
            "enrollment not requested"
        exit 0
    fi
    check_join_entry
    enroll
}

main "$@"
