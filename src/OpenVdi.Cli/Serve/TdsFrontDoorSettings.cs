using System.CommandLine;
using System.CommandLine.Parsing;
using System.Security.Cryptography;
using OpenVdi.Engine.Tds;

namespace OpenVdi.Cli.Serve;

/// <summary>
/// The <c>--tds*</c> options of <c>vdi engine serve</c>, and the <see cref="TdsServerOptions"/> they make: where to
/// listen, the logins and their password (from <see cref="PasswordVariable"/> or a file, never the command line), the
/// certificate, whether unencrypted sessions are allowed.
/// </summary>
internal sealed class TdsFrontDoorSettings
{
    /// <summary>The environment variable that holds the logins' password.</summary>
    public const string PasswordVariable = "OPENVDI_TDS_PASSWORD";

    /// <summary>The environment variable that holds the password of a PKCS#12 certificate file.</summary>
    public const string CertificatePasswordVariable = "OPENVDI_TDS_CERTIFICATE_PASSWORD";

    private static readonly Option<string?> s_endpoint = new("--tds")
    {
        Description = "Also serve TDS, SQL Server's protocol, on this port (address 127.0.0.1 unless given; 0.0.0.0 for every interface): SqlClient, sqlcmd, tedious log in and send BACKUP/RESTORE as to SQL Server. Needs --tds-login. See docs/tds.md",
        HelpName = "[ADDRESS:]PORT",
    };

    private static readonly Option<string[]> s_logins = new("--tds-login")
    {
        Description = "A SQL login the TDS port accepts (repeatable); its password comes from the environment variable OPENVDI_TDS_PASSWORD, or from --tds-password-file",
        HelpName = "NAME",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string?> s_passwordFile = new("--tds-password-file")
    {
        Description = "Read the logins' password from this file (mode 0600 or stricter)",
        HelpName = "PATH",
    };

    private static readonly Option<string?> s_certificate = new("--tds-certificate")
    {
        Description = "The TLS certificate: PKCS#12 (.pfx/.p12; its password from OPENVDI_TDS_CERTIFICATE_PASSWORD) or PEM (default: a self-signed one, made at start, its thumbprint logged)",
        HelpName = "PATH",
    };

    private static readonly Option<string?> s_certificateKey = new("--tds-certificate-key")
    {
        Description = "The PEM private key, when not in the certificate's file",
        HelpName = "PATH",
    };

    private static readonly Option<bool> s_allowUnencrypted = new("--tds-allow-unencrypted")
    {
        Description = "Let clients leave the session unencrypted (Encrypt=false); by default every session is encrypted",
    };

    private readonly List<string> _logins = [];
    private string? _endpoint;
    private string? _passwordFile;
    private string? _certificate;
    private string? _certificateKey;
    private bool _allowUnencrypted;

    /// <summary>Whether <c>--tds</c> was given.</summary>
    public bool Requested => _endpoint is not null;

    /// <summary>Adds the <c>--tds*</c> options, and the check of them together, to <paramref name="command"/>.</summary>
    public static void AddTo(Command command)
    {
        command.Options.Add(s_endpoint);
        command.Options.Add(s_logins);
        command.Options.Add(s_passwordFile);
        command.Options.Add(s_certificate);
        command.Options.Add(s_certificateKey);
        command.Options.Add(s_allowUnencrypted);
        command.Validators.Add(result =>
        {
            if (Problem(From(result)) is { } problem)
            {
                result.AddError(problem);
            }
        });
    }

    /// <summary>The <c>--tds*</c> options as parsed.</summary>
    public static TdsFrontDoorSettings From(ParseResult parse) => From(parse.CommandResult);

    private static TdsFrontDoorSettings From(CommandResult result)
    {
        var settings = new TdsFrontDoorSettings
        {
            _endpoint = result.GetValue(s_endpoint),
            _passwordFile = result.GetValue(s_passwordFile),
            _certificate = result.GetValue(s_certificate),
            _certificateKey = result.GetValue(s_certificateKey),
            _allowUnencrypted = result.GetValue(s_allowUnencrypted),
        };
        settings._logins.AddRange(result.GetValue(s_logins) ?? []);
        return settings;
    }

    /// <summary>What is wrong with the options together, or null.</summary>
    private static string? Problem(TdsFrontDoorSettings settings)
    {
        if (!settings.Requested)
        {
            return settings._logins.Count > 0 || settings._passwordFile is not null || settings._certificate is not null
                || settings._certificateKey is not null || settings._allowUnencrypted
                ? "the --tds-* options need --tds [ADDRESS:]PORT"
                : null;
        }

        if (settings._logins.Count == 0)
        {
            return "--tds needs at least one --tds-login NAME: the TDS port lets nobody in by default";
        }

        if (settings._certificateKey is not null && settings._certificate is null)
        {
            return "--tds-certificate-key needs --tds-certificate";
        }

        try
        {
            _ = TdsEndpoint.Parse(settings._endpoint!);
            return null;
        }
        catch (FormatException e)
        {
            return $"--tds {e.Message}";
        }
    }

    /// <summary>The server's options: reads the password and the certificate.</summary>
    /// <exception cref="IOException">The password or certificate cannot be had; the message says why.</exception>
    public TdsServerOptions Build(TextWriter log, Func<string, bool> databaseExists)
    {
        string password = ReadPassword();
        var logins = new TdsLogins();
        foreach (string name in _logins)
        {
            try
            {
                logins.Add(name, password);
            }
            catch (ArgumentException e)
            {
                throw new IOException($"--tds-login: {e.Message}", e);
            }
        }

        return new TdsServerOptions
        {
            Endpoint = TdsEndpoint.Parse(_endpoint!),
            Logins = logins,
            Certificate = _certificate is null ? null : LoadCertificate(_certificate, _certificateKey),
            AllowUnencrypted = _allowUnencrypted,
            Log = log,
            DatabaseExists = databaseExists,
        };
    }

    private string ReadPassword()
    {
        string? password;
        if (_passwordFile is not null)
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(_passwordFile) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            {
                throw new IOException($"--tds-password-file {_passwordFile} can be read or written by others: make it the user's alone (chmod 600).");
            }

            password = File.ReadAllText(_passwordFile).TrimEnd('\r', '\n');
        }
        else
        {
            password = Environment.GetEnvironmentVariable(PasswordVariable);

            // Processes this one starts do not inherit it.
            Environment.SetEnvironmentVariable(PasswordVariable, null);
        }

        return string.IsNullOrEmpty(password)
            ? throw new IOException($"The TDS logins need a password: set the environment variable {PasswordVariable}, or give --tds-password-file PATH.")
            : password;
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 LoadCertificate(string path, string? keyPath)
    {
        try
        {
            return TdsCertificates.Load(path, keyPath, Environment.GetEnvironmentVariable(CertificatePasswordVariable));
        }
        catch (CryptographicException e)
        {
            throw new IOException($"--tds-certificate {path}: {e.Message}", e);
        }
    }
}
