{{- /* Where ingest.openTicketsSecret is mounted; a source's openTickets.tokenFile is <dir>/<tokenKey or source name>. */ -}}
{{- define "frontline.ingest.tokenDir" -}}
/var/run/secrets/frontline-ingest-api
{{- end -}}

{{- /* "true" when a source of ingest.config has openTickets, else empty. */ -}}
{{- define "frontline.ingest.hasOpenTickets" -}}
{{- range .Values.ingest.config.sources -}}
{{- if .openTickets }}true{{ break }}{{ end -}}
{{- end -}}
{{- end -}}

{{- /*
The ingest's config file as mounted: frontline.ingest.config (secretKey
turned into secretFile) with each openTickets.tokenKey turned into the
tokenFile of the mounted key of ingest.openTicketsSecret.
*/ -}}
{{- define "frontline.ingest.configFile" -}}
{{- $cfg := include "frontline.ingest.config" . | fromYaml -}}
{{- range $s := $cfg.sources -}}
{{- with $s.openTickets -}}
{{- $_ := set . "tokenFile" (printf "%s/%s" (include "frontline.ingest.tokenDir" $) (.tokenKey | default $s.name)) -}}
{{- $_ = unset . "tokenKey" -}}
{{- end -}}
{{- end -}}
{{- toYaml $cfg -}}
{{- end -}}

{{- /* A Go duration ("90s", "1m30s", "1.5h") in seconds, as a float. */ -}}
{{- define "frontline.ingest.seconds" -}}
{{- $units := dict "ns" 0.000000001 "us" 0.000001 "µs" 0.000001 "ms" 0.001 "s" 1.0 "m" 60.0 "h" 3600.0 -}}
{{- $total := 0.0 -}}
{{- range regexFindAll "[0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h)" (toString .) -1 -}}
{{- $n := regexFind "^[0-9]+(\\.[0-9]+)?" . -}}
{{- $total = addf $total (mulf (float64 $n) (get $units (trimPrefix $n .))) -}}
{{- end -}}
{{- $total -}}
{{- end -}}

{{- /*
What the ingest would refuse at start about the backlog and openTickets,
or what would count the backlog wrong, refused at render.
*/ -}}
{{- define "frontline.ingest.validateBacklog" -}}
{{- $in := .Values.ingest -}}
{{- $backlog := $in.config.backlog | default dict -}}
{{- $mode := $backlog.mode | default "delta" -}}
{{- $counted := list -}}
{{- range $in.config.sources }}{{ if .openTickets }}{{ $counted = append $counted .name }}{{ end }}{{ end -}}
{{- if and $counted (ne $mode "single") -}}
{{- fail (printf "ingest.config.sources (%s).openTickets: needs ingest.config.backlog.mode single, not %s. A correction replaces frontline_queue_backlog with the helpdesk's count, so one replica must own the backlog; in delta mode every replica exports its share and the operator adds them up. Set ingest.config.backlog.mode: single and ingest.replicaCount: 1" (join ", " $counted) $mode) -}}
{{- end -}}
{{- if and $backlog.correctionInterval (ne $mode "single") -}}
{{- fail (printf "ingest.config.backlog.correctionInterval: only with ingest.config.backlog.mode single (a correction replaces the backlog one replica owns), not %s" $mode) -}}
{{- end -}}
{{- if and (eq $mode "single") (gt (int $in.replicaCount) 1) -}}
{{- fail (printf "ingest.config.backlog.mode single with ingest.replicaCount %d: one replica owns the backlog, and the operator sums frontline_queue_backlog over the replicas, so %d replicas would each report their own; set ingest.replicaCount to 1" (int $in.replicaCount) (int $in.replicaCount)) -}}
{{- end -}}
{{- if and $counted (not $in.openTicketsSecret) -}}
{{- fail (printf "ingest.openTicketsSecret: sources %s have openTickets; name the existing Secret holding their API tokens, one key per source (openTickets.tokenKey, default the source's name), mounted at %s. E.g. kubectl -n %s create secret generic frontline-ingest-api --from-literal=%s=<API token>" (join ", " $counted) (include "frontline.ingest.tokenDir" .) .Release.Namespace (first $counted)) -}}
{{- end -}}
{{- if and $counted (lt (include "frontline.ingest.seconds" ($backlog.correctionInterval | default "5m") | float64) 30.0) -}}
{{- fail (printf "ingest.config.backlog.correctionInterval %s: at least 30s with openTickets (every round sends one request per queue to the helpdesk's API)" $backlog.correctionInterval) -}}
{{- end -}}
{{- range $src := $in.config.sources -}}
{{- with ($src.openTickets | default dict).timeout -}}
{{- $s := include "frontline.ingest.seconds" . | float64 -}}
{{- if or (le $s 0.0) (gt $s 60.0) -}}
{{- fail (printf "ingest.config.sources (%s).openTickets.timeout %s: must be positive and at most 1m" $src.name .) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
