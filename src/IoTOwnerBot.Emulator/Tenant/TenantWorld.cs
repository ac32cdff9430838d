using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Samples;

namespace IoTOwnerBot.Emulator.Tenant;

/// <summary>
/// The emulated tenant as Entra holds it: the directory's users and domains (from <c>Samples/directory.json</c>, then
/// edited through the admin API) and what an admin granted the bot (<see cref="Access"/>). Thread-safe; getters return
/// snapshots.
/// </summary>
public sealed class TenantWorld : IResettable
{
    private readonly Lock _gate = new();
    private readonly DirectorySample _directory;
    private readonly List<DirectoryUser> _users = [];
    private AccessSettings _access = new();

    internal TenantWorld(SampleCatalog catalog)
    {
        _directory = catalog.Directory;
        Reset();
    }

    /// <summary>Back to the directory of directory.json and full access.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _users.Clear();
            _users.AddRange(_directory.Users);
            _access = new AccessSettings();
        }
    }

    /// <summary>The roles the bot's tokens carry and its role on the workspace (full access unless changed).</summary>
    public AccessSettings Access
    {
        get { lock (_gate) return _access; }
        set { lock (_gate) _access = value ?? new AccessSettings(); }
    }

    public IReadOnlyList<DirectoryUser> Users
    {
        get
        {
            lock (_gate)
            {
                return [.. _users];
            }
        }
    }

    public IReadOnlyList<string> Domains => _directory.Domains;

    /// <summary>A user by object id or UPN, as Graph <c>/users/{id-or-upn}</c> resolves it.</summary>
    public DirectoryUser? FindUser(string idOrUpn)
    {
        lock (_gate)
        {
            return _users.FirstOrDefault(u => u.Matches(idOrUpn));
        }
    }

    /// <summary>Adds a user or replaces the one with the same id or UPN.</summary>
    public DirectoryUser UpsertUser(DirectoryUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        lock (_gate)
        {
            var index = _users.FindIndex(u => u.Matches(user.Id) || u.Matches(user.UserPrincipalName));
            if (index >= 0)
            {
                _users[index] = user;
            }
            else
            {
                _users.Add(user);
            }
            return user;
        }
    }

    /// <summary>
    /// The user Exchange delivers mail to <paramref name="address"/> for: at any of a user's SMTP addresses (primary or
    /// alias); a UPN is not an address unless it is also one of them.
    /// </summary>
    internal DirectoryUser? ReceiverOf(string address)
    {
        lock (_gate)
        {
            return _users.FirstOrDefault(u => u.ReceivesMailAt(address));
        }
    }

    /// <summary>Whether the address is in one of the tenant's domains.</summary>
    internal bool IsTenantAddress(string address)
    {
        var at = address.LastIndexOf('@');
        return at >= 0 && _directory.Domains.Contains(address[(at + 1)..], StringComparer.OrdinalIgnoreCase);
    }
}
