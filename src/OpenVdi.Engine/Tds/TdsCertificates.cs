using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenVdi.Engine.Tds;

/// <summary>The TLS certificate of the TDS front door: one the user gives (PFX or PEM), or a self-signed one made at start.</summary>
public static class TdsCertificates
{
    private const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>
    /// A self-signed RSA-2048 certificate for <paramref name="hostName"/>, <c>localhost</c>, 127.0.0.1 and ::1,
    /// valid for a year from now. Clients trust it only with TrustServerCertificate (or by its thumbprint).
    /// </summary>
    public static X509Certificate2 CreateSelfSigned(string hostName)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostName);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={hostName}, O=OpenVdi engine (self-signed)"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthenticationOid)], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostName);
        if (!hostName.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            names.AddDnsName("localhost");
        }

        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));

        // Through PKCS#12 so that the key is one the TLS stack can use, on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// Loads a certificate with its private key: a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>; <paramref name="password"/>
    /// opens it), or PEM (the certificate, and the key in <paramref name="keyPath"/> or in the same file).
    /// </summary>
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="CryptographicException">The file is not a certificate, the password is wrong, or there is no private key.</exception>
    public static X509Certificate2 Load(string path, string? keyPath = null, string? password = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        X509Certificate2 certificate;
        if (extension is ".pfx" or ".p12")
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        else
        {
            using var pem = X509Certificate2.CreateFromPemFile(path, keyPath ?? path);
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new CryptographicException($"The certificate in {path} comes without its private key.");
        }

        return certificate;
    }

    /// <summary>One line for the log: subject, SHA-1 thumbprint (what SQL Server tools show), SHA-256, expiry.</summary>
    public static string Describe(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        string sha256 = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        return string.Create(CultureInfo.InvariantCulture,
            $"{certificate.Subject}, thumbprint (SHA-1) {certificate.Thumbprint}, SHA-256 {sha256}, valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}");
    }
}
