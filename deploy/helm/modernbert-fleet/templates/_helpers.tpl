{{/* Names: the release's full name, truncated to the 63 characters Kubernetes allows. */}}
{{- define "modernbert-fleet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "modernbert-fleet.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "modernbert-fleet.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "modernbert-fleet.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "modernbert-fleet.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "modernbert-fleet.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "modernbert-fleet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "modernbert-fleet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "modernbert-fleet.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "modernbert-fleet.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "modernbert-fleet.workerImage" -}}
{{- printf "%s:%s" .Values.worker.image.repository (default .Chart.AppVersion .Values.worker.image.tag) }}
{{- end }}

{{- define "modernbert-fleet.coordinatorImage" -}}
{{- printf "%s:%s" .Values.coordinator.image.repository (default .Chart.AppVersion .Values.coordinator.image.tag) }}
{{- end }}

{{/* The broker: the bundled RabbitMQ's Service and Secret, or the external host and existing Secret. */}}
{{- define "modernbert-fleet.rabbitmqHost" -}}
{{- if .Values.rabbitmq.bundled.enabled }}
{{- printf "%s-rabbitmq" (include "modernbert-fleet.fullname" .) }}
{{- else }}
{{- .Values.rabbitmq.host }}
{{- end }}
{{- end }}

{{- define "modernbert-fleet.rabbitmqSecretName" -}}
{{- if .Values.rabbitmq.bundled.enabled }}
{{- printf "%s-rabbitmq" (include "modernbert-fleet.fullname" .) }}
{{- else }}
{{- .Values.rabbitmq.existingSecret }}
{{- end }}
{{- end }}

{{/* Worker:ShutdownGracePeriod as a .NET TimeSpan (hh:mm:ss) from whole seconds. */}}
{{- define "modernbert-fleet.shutdownGracePeriod" -}}
{{- $seconds := int .Values.worker.shutdownGracePeriodSeconds }}
{{- printf "%02d:%02d:%02d" (div $seconds 3600) (mod (div $seconds 60) 60) (mod $seconds 60) }}
{{- end }}

{{/* Configuration both apps read: broker, storage, models, outputs, telemetry. */}}
{{- define "modernbert-fleet.sharedEnv" -}}
- name: Broker__Transport
  value: RabbitMq
- name: Broker__Host
  value: {{ include "modernbert-fleet.rabbitmqHost" . | quote }}
- name: Broker__Port
  value: {{ .Values.rabbitmq.port | quote }}
- name: Broker__VirtualHost
  value: {{ .Values.rabbitmq.virtualHost | quote }}
- name: Broker__UseTls
  value: {{ .Values.rabbitmq.useTls | quote }}
- name: Broker__Username
  value: {{ .Values.rabbitmq.username | quote }}
- name: Broker__JobQueue
  value: {{ .Values.rabbitmq.jobQueue | quote }}
{{- if include "modernbert-fleet.rabbitmqSecretName" . }}
- name: Broker__PasswordFile
  value: /var/run/secrets/modernbert/broker/password
{{- end }}
{{- if .Values.storage.azure.existingSecret }}
- name: Storage__Azure__ConnectionStringFile
  value: /var/run/secrets/modernbert/storage/connection-string
{{- end }}
{{- with .Values.storage.azure.accountName }}
- name: Storage__Azure__AccountName
  value: {{ . | quote }}
{{- end }}
{{- with .Values.storage.azure.blobEndpoint }}
- name: Storage__Azure__BlobEndpoint
  value: {{ . | quote }}
{{- end }}
{{- with .Values.huggingFace.endpoint }}
- name: HuggingFace__Endpoint
  value: {{ . | quote }}
{{- end }}
{{- if .Values.huggingFace.existingSecret }}
- name: HuggingFace__TokenFile
  value: /var/run/secrets/modernbert/huggingface/token
{{- end }}
- name: HuggingFace__CacheDirectory
  value: /cache/huggingface/hub
- name: Output__TargetFileBytes
  value: {{ .Values.output.targetFileBytes | quote }}
- name: Output__MaxRowGroupsPerFile
  value: {{ .Values.output.maxRowGroupsPerFile | quote }}
- name: Output__Compression
  value: {{ .Values.output.compression | quote }}
- name: Telemetry__Port
  value: {{ .Values.telemetry.port | quote }}
{{- end }}

{{/* Volumes behind sharedEnv's files and folders; mounted by sharedVolumeMounts. */}}
{{- define "modernbert-fleet.sharedVolumes" -}}
- name: tmp
  emptyDir: {}
- name: model-cache
  {{- if .Values.huggingFace.cache.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.huggingFace.cache.existingClaim }}
  {{- else }}
  emptyDir:
    sizeLimit: {{ .Values.huggingFace.cache.sizeLimit }}
  {{- end }}
{{- if include "modernbert-fleet.rabbitmqSecretName" . }}
- name: broker-credentials
  secret:
    secretName: {{ include "modernbert-fleet.rabbitmqSecretName" . }}
    items:
      - key: {{ .Values.rabbitmq.passwordKey }}
        path: password
{{- end }}
{{- if .Values.storage.azure.existingSecret }}
- name: storage-credentials
  secret:
    secretName: {{ .Values.storage.azure.existingSecret }}
    items:
      - key: {{ .Values.storage.azure.connectionStringKey }}
        path: connection-string
{{- end }}
{{- if .Values.huggingFace.existingSecret }}
- name: huggingface-credentials
  secret:
    secretName: {{ .Values.huggingFace.existingSecret }}
    items:
      - key: {{ .Values.huggingFace.tokenKey }}
        path: token
{{- end }}
{{- if .Values.storage.volume.existingClaim }}
- name: data
  persistentVolumeClaim:
    claimName: {{ .Values.storage.volume.existingClaim }}
{{- end }}
{{- end }}

{{- define "modernbert-fleet.sharedVolumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: model-cache
  mountPath: /cache/huggingface
{{- if include "modernbert-fleet.rabbitmqSecretName" . }}
- name: broker-credentials
  mountPath: /var/run/secrets/modernbert/broker
  readOnly: true
{{- end }}
{{- if .Values.storage.azure.existingSecret }}
- name: storage-credentials
  mountPath: /var/run/secrets/modernbert/storage
  readOnly: true
{{- end }}
{{- if .Values.huggingFace.existingSecret }}
- name: huggingface-credentials
  mountPath: /var/run/secrets/modernbert/huggingface
  readOnly: true
{{- end }}
{{- if .Values.storage.volume.existingClaim }}
- name: data
  mountPath: {{ .Values.storage.volume.mountPath }}
{{- end }}
{{- end }}

{{/* Pod labels that opt into Azure workload identity. */}}
{{- define "modernbert-fleet.identityLabels" -}}
{{- if .Values.storage.azure.workloadIdentity }}
azure.workload.identity/use: "true"
{{- end }}
{{- end }}

{{/*
The coordinator's pod template, shared by the one-off Job and the CronJob, running `modernbert run`. Called with a
dict: root (the chart's context), run (coordinator.job or coordinator.cronJob), valuesPath (its name in messages),
and either runId (the Job's run) or cronJobName (scheduled runs: files/scheduled-run.sh adds the run id).
*/}}
{{- define "modernbert-fleet.coordinatorPod" -}}
{{- $root := .root }}
metadata:
  labels:
    {{- include "modernbert-fleet.selectorLabels" $root | nindent 4 }}
    app.kubernetes.io/component: coordinator
    {{- include "modernbert-fleet.identityLabels" $root | nindent 4 }}
    {{- with $root.Values.coordinator.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $root.Values.coordinator.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  restartPolicy: Never
  serviceAccountName: {{ include "modernbert-fleet.serviceAccountName" $root }}
  automountServiceAccountToken: {{ $root.Values.serviceAccount.automountToken }}
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  {{- with $root.Values.coordinator.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.coordinator.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.coordinator.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: coordinator
      image: {{ include "modernbert-fleet.coordinatorImage" $root | quote }}
      imagePullPolicy: {{ $root.Values.coordinator.image.pullPolicy }}
      {{- if .cronJobName }}
      command:
        - /bin/bash
        - /opt/modernbert/scheduled-run.sh
      {{- end }}
      args:
        - run
        {{- range .run.input }}
        - --input
        - {{ . | quote }}
        {{- end }}
        - --output
        - {{ required (printf "%s.output is required" .valuesPath) .run.output | quote }}
        - --model
        - {{ required (printf "%s.model is required" .valuesPath) .run.model | quote }}
        - --task
        - {{ .run.task | quote }}
        # A retried pod waits for the lease of the pod it replaces (up to 60 s after that one died), then resumes.
        - --wait-for-lease
        {{- with .runId }}
        - --run-id
        - {{ . | quote }}
        {{- end }}
        {{- with .run.extraArgs }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      env:
        {{- include "modernbert-fleet.sharedEnv" $root | nindent 8 }}
        - name: Runs__Location
          value: {{ $root.Values.runs.location | quote }}
        - name: Input__IdField
          value: {{ $root.Values.input.idField | quote }}
        - name: Input__TextField
          value: {{ $root.Values.input.textField | quote }}
        - name: Input__InputIdsField
          value: {{ $root.Values.input.inputIdsField | quote }}
        - name: Input__TextPairField
          value: {{ $root.Values.input.textPairField | quote }}
        - name: Planning__JobTokens
          value: {{ $root.Values.coordinator.jobTokens | quote }}
        - name: Coordinator__MaxOutstandingJobs
          value: {{ $root.Values.coordinator.maxOutstandingJobs | quote }}
        - name: Planning__TokenizerThreads
          value: {{ $root.Values.coordinator.tokenizerThreads | quote }}
        {{- with .cronJobName }}
        - name: MODERNBERT_CRONJOB_NAME
          value: {{ . | quote }}
        - name: MODERNBERT_JOB_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.labels['batch.kubernetes.io/job-name']
        - name: MODERNBERT_RUN_ID_PREFIX
          value: {{ $root.Values.coordinator.cronJob.runIdPrefix | quote }}
        - name: MODERNBERT_DATE_FORMAT
          value: {{ $root.Values.coordinator.cronJob.dateFormat | quote }}
        - name: MODERNBERT_DATE_OFFSET_DAYS
          value: {{ $root.Values.coordinator.cronJob.dateOffsetDays | quote }}
        - name: MODERNBERT_TIME_ZONE
          value: {{ default "UTC" $root.Values.coordinator.cronJob.timeZone | quote }}
        {{- end }}
        {{- with $root.Values.coordinator.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      ports:
        - name: metrics
          containerPort: {{ $root.Values.telemetry.port }}
          protocol: TCP
      livenessProbe:
        httpGet:
          path: /healthz
          port: metrics
        periodSeconds: {{ $root.Values.coordinator.livenessProbe.periodSeconds }}
        timeoutSeconds: {{ $root.Values.coordinator.livenessProbe.timeoutSeconds }}
        failureThreshold: {{ $root.Values.coordinator.livenessProbe.failureThreshold }}
      resources:
        {{- toYaml $root.Values.coordinator.resources | nindent 8 }}
      securityContext:
        {{- toYaml $root.Values.containerSecurityContext | nindent 8 }}
      volumeMounts:
        {{- include "modernbert-fleet.sharedVolumeMounts" $root | nindent 8 }}
        {{- if .cronJobName }}
        - name: scripts
          mountPath: /opt/modernbert
          readOnly: true
        {{- end }}
  volumes:
    {{- include "modernbert-fleet.sharedVolumes" $root | nindent 4 }}
    {{- if .cronJobName }}
    - name: scripts
      configMap:
        name: {{ include "modernbert-fleet.fullname" $root }}-scripts
        defaultMode: 0555
    {{- end }}
{{- end }}
