{{- define "frontline.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "frontline.labels" -}}
app.kubernetes.io/name: frontline
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "frontline.selectorLabels" -}}
app.kubernetes.io/name: frontline
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: manager
{{- end -}}

{{- /* The manager image: [global.imageRegistry | image.registry/]repository, then @digest or :tag (appVersion by default). */ -}}
{{- define "frontline.image" -}}
{{- $registry := .Values.global.imageRegistry | default .Values.image.registry -}}
{{- $repo := .Values.image.repository -}}
{{- if $registry }}{{ $repo = printf "%s/%s" $registry $repo }}{{ end -}}
{{- if .Values.image.digest -}}
{{ printf "%s@%s" $repo .Values.image.digest }}
{{- else -}}
{{ printf "%s:%s" $repo (.Values.image.tag | default .Chart.AppVersion) }}
{{- end -}}
{{- end -}}

{{- define "frontline.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ .Values.serviceAccount.name | default (include "frontline.fullname" .) }}
{{- else -}}
{{ required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{- /* frontline-ingest: its own name label, so the manager's Service and ServiceMonitor selectors never match its objects. */ -}}
{{- define "frontline.ingest.fullname" -}}
{{- printf "%s-ingest" (include "frontline.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "frontline.ingest.selectorLabels" -}}
app.kubernetes.io/name: frontline-ingest
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: ingest
{{- end -}}

{{- define "frontline.ingest.labels" -}}
{{ include "frontline.ingest.selectorLabels" . }}
app.kubernetes.io/part-of: frontline
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- /* The ingest image: registry from global.imageRegistry, ingest.image.registry, then image.registry; @digest or :tag (appVersion by default). */ -}}
{{- define "frontline.ingest.image" -}}
{{- $img := .Values.ingest.image -}}
{{- $registry := .Values.global.imageRegistry | default $img.registry | default .Values.image.registry -}}
{{- $repo := $img.repository -}}
{{- if $registry }}{{ $repo = printf "%s/%s" $registry $repo }}{{ end -}}
{{- if $img.digest -}}
{{ printf "%s@%s" $repo $img.digest }}
{{- else -}}
{{ printf "%s:%s" $repo ($img.tag | default .Chart.AppVersion) }}
{{- end -}}
{{- end -}}

{{- /* Where the ingest's webhook secrets are mounted; a source's secretFile is <dir>/<secretKey or name>. */ -}}
{{- define "frontline.ingest.secretDir" -}}
/var/run/secrets/frontline-ingest
{{- end -}}

{{- /* The ingest's config file: ingest.config with each source's secretKey turned into the secretFile of the mounted key. */ -}}
{{- define "frontline.ingest.config" -}}
{{- $cfg := omit .Values.ingest.config "sources" -}}
{{- $sources := list -}}
{{- range .Values.ingest.config.sources -}}
{{- $s := omit . "secretKey" -}}
{{- $_ := set $s "secretFile" (printf "%s/%s" (include "frontline.ingest.secretDir" $) (.secretKey | default .name)) -}}
{{- $sources = append $sources $s -}}
{{- end -}}
{{- $_ := set $cfg "sources" $sources -}}
{{- toYaml $cfg -}}
{{- end -}}

{{- /*
Values the schema cannot refuse, refused with a message at render:
replicas that would all act at once, labels that would change the
selector, volumes that would replace the chart's own, probes without
exactly one handler.
*/ -}}
{{- define "frontline.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection) -}}
{{- fail (printf "replicaCount is %d but leaderElection is false: every replica would reconcile the same queues and surge plans at once. Set leaderElection: true, or replicaCount: 1" (int .Values.replicaCount)) -}}
{{- end -}}
{{- $selector := include "frontline.selectorLabels" . | fromYaml -}}
{{- range $k, $v := .Values.podLabels -}}
{{- if hasKey $selector $k -}}
{{- fail (printf "podLabels.%s: a selector label of the manager's pods, set by the chart" $k) -}}
{{- end -}}
{{- end -}}
{{- range $i, $v := .Values.volumes -}}
{{- if or (eq $v.name "sources-config") (hasPrefix "sources-secret-" $v.name) -}}
{{- fail (printf "volumes[%d].name %s: the chart's own volumes for metricsSources are named sources-config and sources-secret-<n>; choose another name" $i $v.name) -}}
{{- end -}}
{{- end -}}
{{- range $name := list "livenessProbe" "readinessProbe" -}}
{{- $p := index $.Values $name | default dict -}}
{{- $handlers := list -}}
{{- range $h := list "httpGet" "tcpSocket" "grpc" "exec" -}}
{{- if index $p $h }}{{ $handlers = append $handlers $h }}{{ end -}}
{{- end -}}
{{- if ne (len $handlers) 1 -}}
{{- fail (printf "%s: one handler (httpGet, tcpSocket, grpc or exec), got %v; null the default's httpGet to use another (%s: {httpGet: null, ...})" $name $handlers $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* The manager's topologySpreadConstraints, each without a labelSelector given the pods' selector labels. */ -}}
{{- define "frontline.topologySpreadConstraints" -}}
{{- $out := list -}}
{{- range .Values.topologySpreadConstraints -}}
{{- $c := deepCopy . -}}
{{- if not $c.labelSelector -}}
{{- $_ := set $c "labelSelector" (dict "matchLabels" (include "frontline.selectorLabels" $ | fromYaml)) -}}
{{- end -}}
{{- $out = append $out $c -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}
