using System.Diagnostics;
using System.Text.Json.Nodes;
using IoTOwnerBot.Cards;

namespace IoTOwnerBot.Tests.Cards;

/// <summary>
/// Our engine and the official adaptivecards-templating engine (npm, run with node) expand every template to the
/// same JSON, with its sample data and with hostile incident data. The npm packages are pinned by
/// conformance/package-lock.json and installed with <c>npm ci</c> when node_modules is missing.
/// </summary>
/// <remarks>
/// Known, deliberate differences are outside what is compared: the official engine leaves an unresolved
/// <c>${path}</c> in the card and treats a failing <c>$when</c> as false, ours throws. Sample and composer data
/// resolve every path, so both engines must agree exactly. One quirk is not copied: the official engine merges a
/// top-level <c>${concat(…)}</c> into the string interpolation, so <c>${concat(array, array)}</c> becomes
/// "1,two,[object Object]…" text there and an array with us; templates only concat text.
/// </remarks>
public class CardConformanceTests
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    [Fact]
    public async Task EveryTemplate_ExpandsLikeTheOfficialEngine()
    {
        await EnsureOfficialEngineInstalledAsync();
        var jobs = new List<(string Name, CardTemplate Template, JsonNode Data)>();
        var composer = CardTestSupport.Composer();
        foreach (var file in CardTestSupport.Catalog.Templates)
        {
            var template = CardTestSupport.Catalog.GetTemplate(file.CardId, file.Channel, file.Version);
            var kind = CardTestSupport.KindOf(file.CardId);
            jobs.Add((file.RelativePath + " (sample)", template, JsonNode.Parse(File.ReadAllText(file.SamplePath))!));
            jobs.Add((file.RelativePath + " (hostile data)", template, composer.BuildData(file.Channel, CardTestSupport.HostileModel(kind))));
            jobs.Add((file.RelativePath + " (de, no devices)", template, composer.BuildData(
                file.Channel,
                CardTestSupport.SampleModel(kind) with { Devices = [], Recipient = new CardRecipient("de", "America/New_York") })));
        }

        var input = new JsonArray(jobs.Select(j => (JsonNode?)new JsonObject
        {
            ["name"] = j.Name,
            ["template"] = JsonNode.Parse(File.ReadAllText(Path.Combine(CardTestSupport.CardsDirectory, j.Template.Name))),
            ["data"] = j.Data.DeepClone(),
        }).ToArray());
        var official = JsonNode.Parse(await RunAsync("node", "expand.js", input.ToJsonString()))!.AsArray();

        Assert.Equal(jobs.Count, official.Count);
        var mismatches = new List<string>();
        for (var i = 0; i < jobs.Count; i++)
        {
            var theirs = official[i]!;
            Assert.Null(theirs["error"]);
            var ours = jobs[i].Template.Render(jobs[i].Data);
            if (!JsonNode.DeepEquals(ours, theirs["card"]))
            {
                mismatches.Add($"{jobs[i].Name}\n  ours:     {ours.ToJsonString()}\n  official: {theirs["card"]!.ToJsonString()}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public async Task EngineFeatures_ExpandLikeTheOfficialEngine()
    {
        await EnsureOfficialEngineInstalledAsync();
        var template = JsonNode.Parse("""
        {
          "typed": ["${n}", "${b}", "${o}", "${a}", "${nul}"],
          "text": "n=${n} b=${b} ${s}",
          "repeat": [{ "$data": "${a}", "i": "${$index}", "v": "${$data}", "r": "${$root.s}" }, "tail"],
          "scoped": { "$data": "${o}", "k": "${k}" },
          "literalList": [{ "$data": [{ "z": 1 }, { "z": 2 }], "z": "${z}", "i": "${$index}" }],
          "literalObject": { "$data": { "z": "lit" }, "z": "${z}" },
          "when": [{ "$when": "${b}", "x": 1 }, { "$when": "${not(b)}", "x": 2 }],
          "whenProperty": { "$when": "${equals(n, 4)}", "x": 3 },
          "f": ["${if(b, 'y', 'n')}", "${equals(s, 'x')}", "${and(b, or(false, true))}", "${empty('')}", "${empty(a)}",
                "${exists(o.k)}", "${exists(o.zz)}", "${concat('a', s, n)}", "${formatDateTime(t, 'dd.MM.yyyy HH:mm:ss')}",
                "${formatDateTime('2026-01-02T03:04:05+01:00', 'yyyy-MM-dd hh:mm tt')}", "${json('{\"z\":[1,2]}')}",
                "${string(o)}", "${string(s)}", "${string(1234.5)}", "${toUpper(s)}", "${toLower('ÄBC')}", "${count(a)}", "${count(s)}",
                "${o['k']}", "${a[1]}", "${n == 3 && !b == false}", "${n >= 3}", "${string({q: s, t: 'it\\'s'})}"]
        }
        """)!;
        var data = JsonNode.Parse("""
        { "n": 3, "b": true, "s": "q\"u\\o}t{e ${x} \u2028 😀 </script>", "nul": null, "o": { "k": "v" }, "a": [1, "two", { "three": 3 }],
          "t": "2026-03-14T08:42:10" }
        """)!;
        var input = new JsonArray(new JsonObject { ["name"] = "features", ["template"] = template, ["data"] = data.DeepClone() });

        var official = JsonNode.Parse(await RunAsync("node", "expand.js", input.ToJsonString()))![0]!;
        var ours = CardTemplate.Parse("features.json", template.ToJsonString()).Render(data);

        Assert.Null(official["error"]);
        Assert.True(JsonNode.DeepEquals(ours, official["card"]), $"ours:     {ours.ToJsonString()}\nofficial: {official["card"]!.ToJsonString()}");
    }

    internal static async Task EnsureOfficialEngineInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(CardTestSupport.ConformanceDirectory, "node_modules", "adaptivecards-templating", "package.json")))
            {
                await RunAsync("npm", "ci --no-audit --no-fund", null, TimeSpan.FromMinutes(5));
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    internal static async Task<string> RunAsync(string program, string arguments, string? stdin, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = CardTestSupport.ConformanceDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["TZ"] = "UTC"; // JavaScript reads a timestamp without an offset in the local zone
        start.Environment["LANG"] = "en_US.UTF-8";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {arguments} did not finish in time");
        }

        Assert.True(process.ExitCode == 0, $"{program} {arguments} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
