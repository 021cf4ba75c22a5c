using System.Security.Cryptography;
using System.Text;

namespace OpenVdi.Engine.Tds;

/// <summary>
/// The SQL logins the TDS front door accepts: a name (compared without regard to case, as SQL Server's default
/// collation does) and a password, kept only as a salted PBKDF2-SHA256 hash and compared in constant time.
/// </summary>
public sealed class TdsLogins
{
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    // Enough to make a stolen hash costly, few enough that a burst of logins does not starve a running backup.
    private const int Iterations = 20_000;

    private readonly Dictionary<string, (byte[] Salt, byte[] Hash)> _logins = new(StringComparer.OrdinalIgnoreCase);
    private readonly byte[] _decoySalt = RandomNumberGenerator.GetBytes(SaltBytes);

    /// <summary>The logins' names, in the order added.</summary>
    public IReadOnlyList<string> Names => [.. _logins.Keys];

    /// <summary>Whether no login was added (then nobody can log in, and the server refuses to start).</summary>
    public bool IsEmpty => _logins.Count == 0;

    /// <summary>Adds a login.</summary>
    /// <param name="name">The login name, 1 to 128 characters.</param>
    /// <param name="password">Its password, not empty.</param>
    /// <exception cref="ArgumentException">The name or password is empty, the name too long, or the login already added.</exception>
    public void Add(string name, string password)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(password);
        if (name.Length > 128)
        {
            throw new ArgumentException("A login name has at most 128 characters.", nameof(name));
        }

        if (password.Length == 0)
        {
            throw new ArgumentException($"The password of login '{name}' is empty.", nameof(password));
        }

        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        if (!_logins.TryAdd(name, (salt, Hash(password, salt))))
        {
            throw new ArgumentException($"The login '{name}' is given twice.", nameof(name));
        }
    }

    /// <summary>Checks a login's password; an unknown login costs as much as a known one, so timing does not tell them apart.</summary>
    internal TdsLoginCheck Verify(string name, string password)
    {
        if (!_logins.TryGetValue(name, out var login))
        {
            _ = Hash(password, _decoySalt);
            return TdsLoginCheck.UnknownLogin;
        }

        byte[] hash = Hash(password, login.Salt);
        return CryptographicOperations.FixedTimeEquals(hash, login.Hash) ? TdsLoginCheck.Accepted : TdsLoginCheck.WrongPassword;
    }

    private static byte[] Hash(string password, byte[] salt) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
}
