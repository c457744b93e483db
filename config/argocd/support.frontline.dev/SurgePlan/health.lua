-- Argo CD health for SurgePlan. A surging plan is doing its job: Active is
-- Healthy (the message says why it is active), never Degraded. A disabled
-- plan is Suspended: it will not act, whatever the market does. An
-- override annotation the operator cannot read is Degraded.
local hs = {status = "Progressing", message = "Waiting for the operator"}
if obj.status == nil or obj.status.phase == nil then
  return hs
end
if obj.metadata.generation ~= nil and (obj.status.observedGeneration or 0) < obj.metadata.generation then
  hs.message = "Waiting for the operator to observe generation " .. obj.metadata.generation
  return hs
end
for _, c in ipairs(obj.status.conditions or {}) do
  if c.type == "Ready" and c.status == "False" and c.reason == "InvalidOverride" then
    return {status = "Degraded", message = c.message}
  end
end
local msg = obj.status.phase
if obj.status.message ~= nil and obj.status.message ~= "" then
  msg = msg .. ": " .. obj.status.message
end
if obj.status.phase == "Disabled" then
  return {status = "Suspended", message = msg}
end
return {status = "Healthy", message = msg}
