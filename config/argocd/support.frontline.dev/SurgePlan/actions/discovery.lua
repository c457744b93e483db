-- Resource actions offered in the Argo CD UI for a SurgePlan.
local actions = {}
local mode = (obj.spec or {}).mode or "Auto"
actions["surge-on"] = {disabled = mode == "On"}
actions["surge-off"] = {disabled = mode == "Off"}
actions["surge-auto"] = {disabled = mode == "Auto"}
return actions
