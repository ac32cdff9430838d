using System.Globalization;

namespace IoTOwnerBot.Chaos;

/// <summary>The store a chaos run puts the service's database on.</summary>
public enum ChaosStore { Sqlite, Postgres }

/// <summary>
/// What a chaos run does: how many incidents it raises, how often it kills the service (SIGKILL, SIGTERM, during
/// start-up), on which store, with how many instances, and how much of Microsoft's side fails for how long.
/// </summary>
public sealed record ChaosOptions
{
    public const string DefaultPostgres = "Host=127.0.0.1;Port=5432;Username=iotownerbot_test;Password=iotownerbot_test;Database=postgres";

    public int Incidents { get; init; } = 60;
    public int Kills { get; init; } = 15;
    public int Sigterms { get; init; } = 5;
    public int StartupKills { get; init; } = 3;
    public ChaosStore Store { get; init; } = ChaosStore.Sqlite;
    /// <summary>A PostgreSQL role that may create databases; the run creates its own database there and drops it.</summary>
    public string Postgres { get; init; } = DefaultPostgres;
    public int Instances { get; init; } = 1;
    /// <summary>Sender mailboxes in the pool: Exchange's 30 messages a minute hold per mailbox, and the emulator enforces them.</summary>
    public int Senders { get; init; } = 10;
    /// <summary>Share (0 to 1) of requests to Microsoft's endpoints that fail during the fault drain; 0: no faults.</summary>
    public double Faults { get; init; }
    public int FaultSeconds { get; init; } = 30;
    public int Seed { get; init; } = 1;
    /// <summary>Folder for the emulator's and every service run's output; null: a temporary folder, deleted after a clean run.</summary>
    public string? Logs { get; init; }
    /// <summary>How long the service may take to become quiet after the chaos, before the run fails.</summary>
    public int DrainTimeoutSeconds { get; init; } = 600;

    public const string Usage = """
        dotnet run --project tests/IoTOwnerBot.Chaos -- [options]
          --incidents N        incidents raised during the run (default 60)
          --kills N            SIGKILLs of a running service (default 15)
          --sigterm N          SIGTERMs (graceful stops) of a running service (default 5)
          --startup-kills N    SIGKILLs shortly after launch, before /readyz answers (default 3)
          --store sqlite|postgres
          --postgres "<conn>"  server connection of a role that may create databases (default: the local test server)
          --instances N        service processes on the one database (default 1; more wants postgres)
          --senders N          sender mailboxes in the pool, each sending 30 e-mails a minute at most (default 10)
          --faults F           share 0..1 of Microsoft requests that fail during the fault drain (default 0)
          --fault-seconds N    length of the fault drain (default 30)
          --seed N             random seed of the plan (default 1)
          --logs DIR           keep the emulator's and each service run's output there
          --drain-timeout N    seconds the service may take to become quiet (default 600)
        """;

    /// <summary>Reads the command line; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public static ChaosOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ChaosOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0
                ? v : throw new ArgumentException($"{name} needs a whole number ≥ 0.");
            options = name switch
            {
                "--incidents" => options with { Incidents = Int() },
                "--kills" => options with { Kills = Int() },
                "--sigterm" or "--sigterms" => options with { Sigterms = Int() },
                "--startup-kills" => options with { StartupKills = Int() },
                "--store" => options with
                {
                    Store = Value().ToUpperInvariant() switch
                    {
                        "SQLITE" => ChaosStore.Sqlite,
                        "POSTGRES" or "POSTGRESQL" => ChaosStore.Postgres,
                        var other => throw new ArgumentException($"--store {other}: use sqlite or postgres."),
                    },
                },
                "--postgres" => options with { Postgres = Value() },
                "--instances" => options with { Instances = Math.Max(1, Int()) },
                "--senders" => options with { Senders = Math.Max(1, Int()) },
                "--faults" => options with
                {
                    Faults = double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f is >= 0 and <= 1
                        ? f : throw new ArgumentException("--faults needs a fraction between 0 and 1."),
                },
                "--fault-seconds" => options with { FaultSeconds = Int() },
                "--seed" => options with { Seed = Int() },
                "--logs" => options with { Logs = Value() },
                "--drain-timeout" => options with { DrainTimeoutSeconds = Int() },
                _ => throw new ArgumentException($"Unknown option {name}."),
            };
        }
        return options;
    }
}
