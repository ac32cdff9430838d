using System.Text.Json;

namespace IoTOwnerBot.Jobs;

internal static class JobJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
