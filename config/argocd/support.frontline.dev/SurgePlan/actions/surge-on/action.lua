-- Force the plan Active with an on-call override: an annotation Git never
-- sets, so the next sync does not undo it. It ends by itself after
-- `duration` (default 30m; s, m or h); then the plan follows its spec.mode.
local os = require("os")
local params = actionParams or {}
local duration = params["duration"] or "30m"
if duration == "" then duration = "30m" end
local n, unit = string.match(duration, "^(%d+)([smh])$")
if n == nil then
  error("duration must be a number and s, m or h, e.g. 45m; got " .. duration, 0)
end
local seconds = tonumber(n) * ({s = 1, m = 60, h = 3600})[unit]
if seconds <= 0 or seconds > 7 * 24 * 3600 then
  error("duration must be between 1s and 168h; got " .. duration, 0)
end
local reason = params["reason"]
if reason == nil or reason == "" then reason = "forced on from Argo CD" end
if obj.metadata.annotations == nil then obj.metadata.annotations = {} end
local a = obj.metadata.annotations
a["support.frontline.dev/surge-override"] = "Always"
a["support.frontline.dev/surge-override-until"] = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + seconds)
a["support.frontline.dev/surge-override-reason"] = reason
a["support.frontline.dev/changed-by"] = "argocd"
return obj
