using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Incidents;
using IoTOwnerBot.Tests.Cards;
using IoTOwnerBot.Tests.Infrastructure;

namespace IoTOwnerBot.Tests.Infra;

/// <summary>
/// The zip that <c>dotnet publish</c> makes (what <c>az webapp deploy --type zip</c> uploads) starts on its own with the
/// app settings of the deployment template — managed identity, user-assigned-MSI bot, Key Vault secrets — against the
/// emulator playing the tenant and App Service's managed identity endpoint; it turns an incident into a question, and
/// the doctor run from the same folder passes every required check.
/// </summary>
[Collection(ServiceProcesses.Name)]
public sealed class PublishSmokeTests : IAsyncLifetime
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"iotownerbot-publish-{Guid.NewGuid():N}");
    private EmulatorServer _emulator = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        _emulator = await EmulatorServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public async Task PublishedZip_StartsWithTheTemplateSettings_AnswersHealth_TakesAnIncident_AndTheDoctorPasses()
    {
        var app = await PublishAndUnzipAsync();
        var port = FreeLoopbackPort();
        var publicBaseUrl = $"http://127.0.0.1:{port}";
        var settings = DeploymentTemplate.ResolveForEmulator(DeploymentTemplate.AppSettings(DeploymentTemplate.Load()), _emulator, publicBaseUrl,
            Path.Combine(_work, "iotownerbot.db"));

        using var service = Start(app, settings);
        using var http = new HttpClient { BaseAddress = new Uri(publicBaseUrl + "/") };
        await WaitUntilReadyAsync(http, service);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);

        // A signed intake (the generated Key Vault secret) becomes a question: tokens from the managed identity work.
        using var admin = new EmulatorAdmin(_emulator);
        var incident = await admin.RaiseAsync(Samples.PlcProgramming);
        var body = incident.TriggerPayload.ToJsonString();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(settings["Intake__HmacSecrets__0"]!), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
        using var post = new HttpRequestMessage(HttpMethod.Post, "api/incidents") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        post.Headers.Add(HmacAuthenticationHandler.SignatureHeader, $"sha256={signature}");
        post.Headers.Add(HmacAuthenticationHandler.TimestampHeader, timestamp);
        using var accepted = await http.SendAsync(post);
        Assert.True(accepted.IsSuccessStatusCode, $"intake answered {(int)accepted.StatusCode}");
        await WaitForAsync(async () => (await admin.CommentsAsync(incident.Name)).Count > 0, "the bot's first comment on the incident");

        var doctor = await DeploymentTemplate.RunAsync("dotnet", [Path.Combine(app, "IoTOwnerBot.dll"), "doctor"], app, settings);

        Assert.True(doctor.ExitCode == 0, doctor.Output + doctor.Error);
        Assert.DoesNotContain("✗", doctor.Output);
        Assert.Contains("✔ Token for the Bot Connector", doctor.Output);
        Assert.Contains($"✔ Service:PublicBaseUrl {publicBaseUrl}: /healthz answered 200", doctor.Output);
        // No secret reaches the output.
        Assert.DoesNotContain(settings["Intake__HmacSecrets__0"]!, doctor.Output + service.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(settings["Outlook__ActionTokenKeys__0__Secret"]!, doctor.Output + service.Log, StringComparison.Ordinal);
    }

    /// <summary>dotnet publish of the service (from the build the test run already made), zipped and unzipped elsewhere.</summary>
    private async Task<string> PublishAndUnzipAsync()
    {
        var publish = Path.Combine(_work, "publish");
        var project = Path.Combine(CardTestSupport.RepoRoot, "src", "IoTOwnerBot", "IoTOwnerBot.csproj");
        var result = await DeploymentTemplate.RunAsync("dotnet", ["publish", project, "--no-build", "-c", "Debug", "-o", publish, "-nologo"],
            CardTestSupport.RepoRoot, limit: TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, result.Output + result.Error);

        var zip = Path.Combine(_work, "app.zip");
        ZipFile.CreateFromDirectory(publish, zip);
        var app = Path.Combine(_work, "wwwroot");
        ZipFile.ExtractToDirectory(zip, app);
        Assert.True(File.Exists(Path.Combine(app, "appsettings.json")), "appsettings.json is not in the zip");
        Assert.True(File.Exists(Path.Combine(app, "cards", "catalog.json")), "the card templates are not in the zip");
        return app;
    }

    private sealed class ServiceProcess(Process process) : IDisposable
    {
        private readonly StringBuilder _log = new();
        public Process Process { get; } = process;
        public string Log { get { lock (_log) return _log.ToString(); } }
        public void Append(string? line) { if (line is not null) lock (_log) _log.AppendLine(line); }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.WaitForExit(10_000);
            Process.Dispose();
        }
    }

    private static ServiceProcess Start(string app, IReadOnlyDictionary<string, string?> settings)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(app, "IoTOwnerBot.dll")])
        {
            WorkingDirectory = app,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in settings) info.Environment[key] = value;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var service = new ServiceProcess(Process.Start(info)!);
        service.Process.OutputDataReceived += (_, e) => service.Append(e.Data);
        service.Process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        service.Process.BeginOutputReadLine();
        service.Process.BeginErrorReadLine();
        return service;
    }

    private static async Task WaitUntilReadyAsync(HttpClient http, ServiceProcess service)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                using var ready = await http.GetAsync("readyz");
                if (ready.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (service.Process.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"The published service did not start:\n{service.Log}");
            await Task.Delay(200);
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(200);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
