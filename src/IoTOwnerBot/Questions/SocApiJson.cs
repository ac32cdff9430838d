using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTOwnerBot.Questions;

[JsonSerializable(typeof(SocActionRequest))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class SocApiJson : JsonSerializerContext;
