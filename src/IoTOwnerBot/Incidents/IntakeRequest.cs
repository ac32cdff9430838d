using System.Text.Json;
using IoTOwnerBot.Sentinel;

namespace IoTOwnerBot.Incidents;

/// <summary>An incident to consider, with the trigger payload's <c>object</c> when one came with it.</summary>
public sealed record IntakeRequest(IncidentRef Incident, JsonElement? TriggerObject, string Via);
