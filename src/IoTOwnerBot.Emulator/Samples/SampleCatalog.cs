using System.Text.Json;

using IoTOwnerBot.Emulator.Hosting;

namespace IoTOwnerBot.Emulator.Samples;

/// <summary>
/// Owns the JSON fixtures: the incident samples (<c>Samples/Incidents/*.json</c>) and the tenant directory
/// (<c>Samples/directory.json</c>). Loaded once at start; the state resets back to them.
/// </summary>
public sealed class SampleCatalog
{
    private readonly Dictionary<string, IncidentSample> _samples;

    private SampleCatalog(Dictionary<string, IncidentSample> samples, DirectorySample directory)
    {
        _samples = samples;
        Directory = directory;
    }

    public IReadOnlyCollection<IncidentSample> Samples => _samples.Values;
    public DirectorySample Directory { get; }

    public IncidentSample? Find(string name) => _samples.GetValueOrDefault(name);

    public static SampleCatalog Load(string? folder)
    {
        folder ??= DefaultFolder();
        var directoryFile = Path.Combine(folder, "directory.json");
        if (!File.Exists(directoryFile))
        {
            throw new FileNotFoundException($"Emulator samples not found: '{directoryFile}' does not exist.", directoryFile);
        }
        var directory = Read(directoryFile, EmulatorJson.Default.DirectorySample);
        var samples = System.IO.Directory.EnumerateFiles(Path.Combine(folder, "Incidents"), "*.json")
            .Order(StringComparer.Ordinal)
            .Select(f => Read(f, EmulatorJson.Default.IncidentSample))
            .ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
        return new SampleCatalog(samples, directory);
    }

    private static string DefaultFolder()
    {
        var besideAssembly = Path.Combine(Path.GetDirectoryName(typeof(SampleCatalog).Assembly.Location) ?? AppContext.BaseDirectory, "Samples");
        return System.IO.Directory.Exists(besideAssembly) ? besideAssembly : Path.Combine(AppContext.BaseDirectory, "Samples");
    }

    private static T Read<T>(string file, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        using var stream = File.OpenRead(file);
        try
        {
            return JsonSerializer.Deserialize(stream, type) ?? throw new InvalidDataException($"Sample '{file}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Sample '{file}' is not valid: {e.Message}", e);
        }
    }
}
