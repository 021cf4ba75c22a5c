using System.Security.Cryptography;
using OpenVdi.Cli.CommandLine;
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

    /// <summary>The options' lines for the command's usage text.</summary>
    public const string Usage = """
          --tds [ADDRESS:]PORT        also serve TDS, SQL Server's protocol, on this port (address 127.0.0.1 unless
                                      given; 0.0.0.0 for every interface): SqlClient, sqlcmd, tedious log in and send
                                      BACKUP/RESTORE as to SQL Server. Needs --tds-login. See docs/tds.md
          --tds-login NAME            a SQL login the TDS port accepts (repeatable); its password comes from the
                                      environment variable OPENVDI_TDS_PASSWORD, or from --tds-password-file
          --tds-password-file PATH    read the logins' password from this file (mode 0600 or stricter)
          --tds-certificate PATH      the TLS certificate: PKCS#12 (.pfx/.p12; its password from
                                      OPENVDI_TDS_CERTIFICATE_PASSWORD) or PEM (default: a self-signed one, made at
                                      start, its thumbprint logged)
          --tds-certificate-key PATH  the PEM private key, when not in the certificate's file
          --tds-allow-unencrypted     let clients leave the session unencrypted (Encrypt=false); by default every
                                      session is encrypted
        """;

    private readonly List<string> _logins = [];
    private string? _endpoint;
    private string? _passwordFile;
    private string? _certificate;
    private string? _certificateKey;
    private bool _allowUnencrypted;

    /// <summary>Whether <c>--tds</c> was given.</summary>
    public bool Requested => _endpoint is not null;

    /// <summary>Takes <paramref name="option"/> if it is one of the <c>--tds*</c> options; false for any other.</summary>
    /// <exception cref="UsageException">The option's value is missing.</exception>
    public bool TryRead(string option, OptionReader options)
    {
        switch (option)
        {
            case "--tds": _endpoint = options.Value(option); return true;
            case "--tds-login": _logins.Add(options.Value(option)); return true;
            case "--tds-password-file": _passwordFile = options.Value(option); return true;
            case "--tds-certificate": _certificate = options.Value(option); return true;
            case "--tds-certificate-key": _certificateKey = options.Value(option); return true;
            case "--tds-allow-unencrypted": _allowUnencrypted = true; return true;
            default: return false;
        }
    }

    /// <summary>Checks the options together, before anything starts.</summary>
    /// <exception cref="UsageException">A <c>--tds-*</c> option without <c>--tds</c>, <c>--tds</c> without a login, or a bad address.</exception>
    public void Validate()
    {
        if (!Requested)
        {
            if (_logins.Count > 0 || _passwordFile is not null || _certificate is not null || _certificateKey is not null || _allowUnencrypted)
            {
                throw new UsageException("the --tds-* options need --tds [ADDRESS:]PORT");
            }

            return;
        }

        if (_logins.Count == 0)
        {
            throw new UsageException("--tds needs at least one --tds-login NAME: the TDS port lets nobody in by default");
        }

        if (_certificateKey is not null && _certificate is null)
        {
            throw new UsageException("--tds-certificate-key needs --tds-certificate");
        }

        try
        {
            _ = TdsEndpoint.Parse(_endpoint!);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--tds {e.Message}");
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
