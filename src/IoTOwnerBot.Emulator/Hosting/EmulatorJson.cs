using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

using IoTOwnerBot.Emulator.Admin;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Faults;
using IoTOwnerBot.Emulator.Graph;
using IoTOwnerBot.Emulator.Journal;
using IoTOwnerBot.Emulator.LogAnalytics;
using IoTOwnerBot.Emulator.Samples;
using IoTOwnerBot.Emulator.Sentinel;
using IoTOwnerBot.Emulator.Tenant;

namespace IoTOwnerBot.Emulator.Hosting;

/// <summary>Source-generated serialization for every wire and fixture shape: web defaults, nulls omitted.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(OAuthError))]
[JsonSerializable(typeof(DirectorySample))]
[JsonSerializable(typeof(IncidentSample))]
[JsonSerializable(typeof(List<SampleSummary>))]
[JsonSerializable(typeof(DirectoryUser))]
[JsonSerializable(typeof(IReadOnlyList<DirectoryUser>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(Incident))]
[JsonSerializable(typeof(IReadOnlyList<Incident>))]
[JsonSerializable(typeof(IncidentList))]
[JsonSerializable(typeof(IncidentWriteRequest))]
[JsonSerializable(typeof(AlertList))]
[JsonSerializable(typeof(EntityList))]
[JsonSerializable(typeof(CommentList))]
[JsonSerializable(typeof(IncidentComment))]
[JsonSerializable(typeof(CommentWriteRequest))]
[JsonSerializable(typeof(TriggerPayload))]
[JsonSerializable(typeof(RaiseIncidentRequest))]
[JsonSerializable(typeof(RaisedIncident))]
[JsonSerializable(typeof(IncidentDetails))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(MintedToken))]
[JsonSerializable(typeof(QueryRequest))]
[JsonSerializable(typeof(QueryResponse))]
[JsonSerializable(typeof(SendMailRequest))]
[JsonSerializable(typeof(MailboxView))]
[JsonSerializable(typeof(IReadOnlyList<MailboxSummary>))]
[JsonSerializable(typeof(IReadOnlyList<JournalEntry>))]
[JsonSerializable(typeof(FaultSpec))]
[JsonSerializable(typeof(FaultRule))]
[JsonSerializable(typeof(IReadOnlyList<FaultRule>))]
[JsonSerializable(typeof(EmulatorOverview))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(Teams.TeamsChat))]
[JsonSerializable(typeof(IReadOnlyList<Teams.TeamsChat>))]
[JsonSerializable(typeof(Teams.ClickRequest))]
[JsonSerializable(typeof(Teams.ActivityRequest))]
[JsonSerializable(typeof(Teams.BotRegistration))]
[JsonSerializable(typeof(Teams.BotReply))]
[JsonSerializable(typeof(PermissionList))]
[JsonSerializable(typeof(AccessSettings))]
[JsonSerializable(typeof(Limits.ProviderLimits))]
[JsonSerializable(typeof(Limits.LimitsView))]
internal sealed partial class EmulatorJson : JsonSerializerContext;
