-- Argo CD health for SupportQueue, following kstatus: Stalled is Degraded,
-- Reconciling (replicas on their way) is Progressing, Ready is Healthy.
-- A metrics gap or a surge never makes a queue Degraded.
local hs = {status = "Progressing", message = "Waiting for the operator"}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
if obj.metadata.generation ~= nil and (obj.status.observedGeneration or 0) < obj.metadata.generation then
  hs.message = "Waiting for the operator to observe generation " .. obj.metadata.generation
  return hs
end
local cond = {}
for _, c in ipairs(obj.status.conditions) do cond[c.type] = c end
if cond.Stalled ~= nil and cond.Stalled.status == "True" then
  return {status = "Degraded", message = cond.Stalled.reason .. ": " .. (cond.Stalled.message or "")}
end
if cond.Reconciling ~= nil and cond.Reconciling.status == "True" then
  return {status = "Progressing", message = cond.Reconciling.message or "Scaling"}
end
if cond.Ready ~= nil and cond.Ready.status == "True" then
  local msg = "Agents " .. ((obj.status.agents or {}).summary or "?")
  if obj.status.chatbot ~= nil and obj.status.chatbot.summary ~= nil then
    msg = msg .. ", bots " .. obj.status.chatbot.summary
  end
  if cond.Surging ~= nil and cond.Surging.status == "True" then msg = msg .. " (surging)" end
  return {status = "Healthy", message = msg}
end
if cond.Ready ~= nil and cond.Ready.status == "False" then
  return {status = "Degraded", message = cond.Ready.reason .. ": " .. (cond.Ready.message or "")}
end
return hs
