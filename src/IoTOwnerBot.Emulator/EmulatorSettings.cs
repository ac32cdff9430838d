using System.Globalization;

using Microsoft.Extensions.Configuration;

namespace IoTOwnerBot.Emulator;

/// <summary>How an emulator instance is set up. Every value has a default, so <c>new()</c> is a working emulator.</summary>
public sealed record EmulatorSettings
{
    /// <summary>The fixed tenant the emulator's directory, tokens and workspace belong to.</summary>
    public const string DefaultTenantId = "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e";

    /// <summary>Fixed port on 127.0.0.1. <c>null</c> or 0 picks an ephemeral port.</summary>
    public int? Port { get; init; }

    /// <summary>Explicit listen URLs (the standalone <c>--urls</c>); wins over <see cref="Port"/>.</summary>
    public string? Urls { get; init; }

    public string TenantId { get; init; } = DefaultTenantId;
    public string SubscriptionId { get; init; } = "3f6c1a52-8d4e-4b7a-9c21-5e0d7f8a9b10";
    public string ResourceGroupName { get; init; } = "rg-soc-sentinel";
    public string WorkspaceName { get; init; } = "law-soc-sentinel";

    /// <summary>The Log Analytics workspace GUID (the <c>workspaceId</c> of trigger payloads).</summary>
    public string WorkspaceId { get; init; } = "c0ffee00-1d2e-4f3a-8b4c-5d6e7f8a9b0c";

    /// <summary>Folder holding <c>directory.json</c> and <c>Incidents/*.json</c>; defaults to the emulator's output folder.</summary>
    public string? SamplesDirectory { get; init; }

    /// <summary>Page size of the incidents list when the caller sends no <c>$top</c>.</summary>
    public int DefaultPageSize { get; init; } = 50;

    /// <summary>Clock for timestamps and token lifetimes.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Write ASP.NET Core logs to the console (the standalone program turns this on).</summary>
    public bool ConsoleLogging { get; init; }

    /// <summary>Sample names raised as incidents right after start (handy for a first manual run).</summary>
    public IReadOnlyList<string> RaiseOnStart { get; init; } = [];

    /// <summary>
    /// Reads settings from command-line arguments and <c>EMULATOR_</c> environment variables:
    /// <c>--urls</c>, <c>--port</c>, <c>--tenantId</c>, <c>--subscriptionId</c>, <c>--resourceGroupName</c>,
    /// <c>--workspaceName</c>, <c>--workspaceId</c>, <c>--samplesDirectory</c>, <c>--raise sample1,sample2</c>.
    /// </summary>
    public static EmulatorSettings FromArgs(string[] args)
    {
        var config = new ConfigurationBuilder()
            .AddEnvironmentVariables("EMULATOR_")
            .AddCommandLine(args)
            .Build();
        var defaults = new EmulatorSettings();
        return defaults with
        {
            Urls = config["urls"],
            Port = int.TryParse(config["port"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) ? port : null,
            TenantId = config["tenantId"] ?? defaults.TenantId,
            SubscriptionId = config["subscriptionId"] ?? defaults.SubscriptionId,
            ResourceGroupName = config["resourceGroupName"] ?? defaults.ResourceGroupName,
            WorkspaceName = config["workspaceName"] ?? defaults.WorkspaceName,
            WorkspaceId = config["workspaceId"] ?? defaults.WorkspaceId,
            SamplesDirectory = config["samplesDirectory"],
            ConsoleLogging = true,
            RaiseOnStart = (config["raise"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
    }
}

/// <summary>The Sentinel workspace the emulator hosts.</summary>
public sealed record EmulatorWorkspace(string SubscriptionId, string ResourceGroupName, string WorkspaceName, string WorkspaceId)
{
    /// <summary>ARM id of the workspace, without the emulator's <c>/arm</c> prefix.</summary>
    public string ResourceId =>
        $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroupName}/providers/Microsoft.OperationalInsights/workspaces/{WorkspaceName}";

    /// <summary>The Microsoft.SecurityInsights base path inside the workspace.</summary>
    public string SecurityInsightsId => $"{ResourceId}/providers/Microsoft.SecurityInsights";

    public string IncidentId(string incidentName) => $"{SecurityInsightsId}/Incidents/{incidentName}";

    internal bool Matches(string subscriptionId, string resourceGroupName, string workspaceName) =>
        string.Equals(subscriptionId, SubscriptionId, StringComparison.OrdinalIgnoreCase)
        && string.Equals(resourceGroupName, ResourceGroupName, StringComparison.OrdinalIgnoreCase)
        && string.Equals(workspaceName, WorkspaceName, StringComparison.OrdinalIgnoreCase);
}
