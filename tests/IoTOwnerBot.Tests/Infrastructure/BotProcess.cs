using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using IoTOwnerBot.Emulator;

namespace IoTOwnerBot.Tests.Infrastructure;

/// <summary>The service as a real child process on a test store, which a test may kill with SIGKILL.</summary>
public sealed class BotProcess : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;

    private BotProcess(Process process, Uri baseAddress)
    {
        _process = process;
        _http = new HttpClient { BaseAddress = baseAddress };
    }

    public static async Task<BotProcess> StartAsync(EmulatorServer emulator, TestDatabase database, Action<Dictionary<string, string?>>? configure = null)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "IoTOwnerBot.dll")])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var settings = BotHost.DefaultSettings(emulator, database);
        settings["urls"] = $"http://127.0.0.1:{port}";
        settings["Service:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        configure?.Invoke(settings);
        foreach (var (key, value) in settings)
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var bot = new BotProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var ready = await bot._http.GetAsync("readyz");
                if (ready.IsSuccessStatusCode) return bot;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"The service did not start (exit code {(process.HasExited ? process.ExitCode : -1)}).");
            await Task.Delay(100);
        }
    }

    public Task<HttpResponseMessage> PostAsync(System.Text.Json.Nodes.JsonObject body, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/incidents") { Content = JsonContent.Create(body.DeepClone()) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _http.SendAsync(request);
    }

    public async Task WaitForCommentsAsync(EmulatorAdmin admin, IReadOnlyList<EmulatorAdmin.RaisedIncident> incidents, int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var withComment = 0;
            foreach (var incident in incidents)
                if ((await admin.CommentsAsync(incident.Name)).Count > 0) withComment++;
            if (withComment >= atLeast) return;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"only {withComment} incidents got their comment");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: no shutdown, no flushing, no finally blocks.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
        _http.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
