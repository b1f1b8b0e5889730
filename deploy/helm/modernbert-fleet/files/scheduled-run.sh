#!/bin/bash
# Runs `modernbert` for one slot of the chart's CronJob: {date} and {slot} in the arguments are replaced, and
# --run-id <prefix>-<slot> is appended.
#
# The slot is the Job's scheduled time, which the CronJob controller puts in the Job's name
# (<cronjob>-<minutes since the epoch>). Every pod of that Job, retries included, thus computes the same run id and
# resumes the same run, even after midnight. A Job made by hand must follow the same naming, for example
#   kubectl create job --from=cronjob/NAME NAME-$(( $(date -u +%s) / 60 ))
#
# Environment: MODERNBERT_CRONJOB_NAME, MODERNBERT_JOB_NAME, MODERNBERT_RUN_ID_PREFIX (required);
# MODERNBERT_DATE_FORMAT (date(1) format of {date}, default %Y-%m-%d), MODERNBERT_DATE_OFFSET_DAYS (days added to the
# slot for {date}, default 0), MODERNBERT_TIME_ZONE (zone of {date} and {slot}, default UTC).
set -euo pipefail

: "${MODERNBERT_CRONJOB_NAME:?is not set}" "${MODERNBERT_JOB_NAME:?is not set}" "${MODERNBERT_RUN_ID_PREFIX:?is not set}"
date_format="${MODERNBERT_DATE_FORMAT:-%Y-%m-%d}"
offset_days="${MODERNBERT_DATE_OFFSET_DAYS:-0}"
time_zone="${MODERNBERT_TIME_ZONE:-UTC}"

minutes="${MODERNBERT_JOB_NAME#"$MODERNBERT_CRONJOB_NAME"-}"
if [[ "$minutes" == "$MODERNBERT_JOB_NAME" || ! "$minutes" =~ ^[0-9]+$ ]]; then
    echo "Job $MODERNBERT_JOB_NAME is not named $MODERNBERT_CRONJOB_NAME-<scheduled minutes since the epoch>," \
        "so its slot is unknown; create it as: kubectl create job --from=cronjob/$MODERNBERT_CRONJOB_NAME" \
        "$MODERNBERT_CRONJOB_NAME-\$(( \$(date -u +%s) / 60 ))" >&2
    exit 2
fi
if [[ ! "$offset_days" =~ ^-?[0-9]+$ ]]; then
    echo "MODERNBERT_DATE_OFFSET_DAYS must be a whole number of days, not '$offset_days'" >&2
    exit 2
fi

slot_epoch=$((10#$minutes * 60))
# A day is 86400 s here; across a daylight saving change {date} may be an hour off, never a day for a schedule
# that avoids the hour around midnight.
date_epoch=$((slot_epoch + offset_days * 86400))
slot="$(TZ="$time_zone" date -d "@$slot_epoch" +%Y%m%d-%H%M)"
date_text="$(TZ="$time_zone" date -d "@$date_epoch" +"$date_format")"
run_id="$MODERNBERT_RUN_ID_PREFIX-$slot"

arguments=()
for argument in "$@"; do
    argument="${argument//\{date\}/$date_text}"
    arguments+=("${argument//\{slot\}/$slot}")
done

echo "Run $run_id: slot $slot, date $date_text" >&2
exec modernbert "${arguments[@]}" --run-id "$run_id"
