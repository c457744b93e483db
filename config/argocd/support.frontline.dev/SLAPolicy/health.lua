-- Argo CD health for SLAPolicy: Ready is Healthy. A breach is reported in
-- the message, not as Degraded: it is the queues' traffic, not the policy,
-- that is in trouble, and GitOps health should not flap with the market.
local hs = {status = "Progressing", message = "Waiting for the operator"}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Ready" and c.status == "True" then
    local msg = (obj.status.queueCount or 0) .. " queues"
    if (obj.status.breachedCount or 0) > 0 then
      msg = msg .. ", " .. obj.status.breachedCount .. " predicted below target"
    elseif (obj.status.atRiskCount or 0) > 0 then
      msg = msg .. ", " .. obj.status.atRiskCount .. " at risk"
    end
    return {status = "Healthy", message = msg}
  end
end
return hs
