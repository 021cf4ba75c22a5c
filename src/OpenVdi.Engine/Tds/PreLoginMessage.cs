using System.Buffers.Binary;
using System.Globalization;

namespace OpenVdi.Engine.Tds;

/// <summary>
/// PRELOGIN (MS-TDS 2.2.6.5): a table of options (token, big-endian offset and length) ended by 0xFF, then their
/// data. The engine reads the client's ENCRYPTION choice and answers with its version, its ENCRYPTION decision, the
/// instance (matched), and MARS off.
/// </summary>
internal sealed class PreLoginMessage
{
    private const byte VersionToken = 0x00;
    private const byte EncryptionToken = 0x01;
    private const byte InstanceToken = 0x02;
    private const byte MarsToken = 0x04;
    private const byte Terminator = 0xFF;
    private const int MaxOptions = 32;

    private PreLoginMessage(TdsEncryption encryption, bool wantsClientCertificate)
    {
        Encryption = encryption;
        WantsClientCertificate = wantsClientCertificate;
    }

    /// <summary>What the client offered; <see cref="TdsEncryption.Off"/> when it did not say.</summary>
    public TdsEncryption Encryption { get; }

    /// <summary>The client asked for certificate authentication (ENCRYPT_CLIENT_CERT), which the engine does not do.</summary>
    public bool WantsClientCertificate { get; }

    /// <summary>Reads the client's PRELOGIN.</summary>
    /// <exception cref="TdsProtocolException">The option table is malformed, or an option lies outside the message.</exception>
    public static PreLoginMessage Parse(byte[] payload)
    {
        var encryption = TdsEncryption.Off;
        bool clientCertificate = false;
        int index = 0;
        for (int option = 0; ; option++)
        {
            if (index >= payload.Length)
            {
                throw new TdsProtocolException("The PRELOGIN option table has no terminator.");
            }

            byte token = payload[index];
            if (token == Terminator)
            {
                break;
            }

            if (option == MaxOptions || index + 5 > payload.Length)
            {
                throw new TdsProtocolException("The PRELOGIN option table is malformed.");
            }

            int offset = BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(index + 1));
            int length = BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(index + 3));
            if (offset + length > payload.Length)
            {
                throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"PRELOGIN option {token} lies outside the message."));
            }

            if (token == EncryptionToken)
            {
                if (length < 1)
                {
                    throw new TdsProtocolException("The PRELOGIN ENCRYPTION option is empty.");
                }

                byte value = payload[offset];

                // 0x80 (ENCRYPT_CLIENT_CERT) is a flag on top of the choice.
                clientCertificate = (value & 0x80) != 0;
                encryption = (value & 0x7F) switch
                {
                    <= 3 and var choice => (TdsEncryption)choice,
                    _ => throw new TdsProtocolException(string.Create(CultureInfo.InvariantCulture, $"The PRELOGIN ENCRYPTION option has the unknown value {value}.")),
                };
            }

            index += 5;
        }

        return new PreLoginMessage(encryption, clientCertificate);
    }

    /// <summary>The server's answer, settling <paramref name="encryption"/>.</summary>
    public static byte[] Response(TdsEncryption encryption)
    {
        // VERSION: major, minor, build (big-endian), sub-build; ENCRYPTION; INSTOPT 0 (the instance matched); MARS 0 (off).
        (byte Token, byte[] Data)[] options =
        [
            (VersionToken, [TdsProtocol.ServerMajorVersion, TdsProtocol.ServerMinorVersion, (byte)(TdsProtocol.ServerBuild >> 8), unchecked((byte)TdsProtocol.ServerBuild), 0, 0]),
            (EncryptionToken, [(byte)encryption]),
            (InstanceToken, [0]),
            (MarsToken, [0]),
        ];
        int tableLength = (options.Length * 5) + 1;
        var payload = new byte[tableLength + options.Sum(o => o.Data.Length)];
        int dataOffset = tableLength;
        for (int i = 0; i < options.Length; i++)
        {
            payload[i * 5] = options[i].Token;
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan((i * 5) + 1), (ushort)dataOffset);
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan((i * 5) + 3), (ushort)options[i].Data.Length);
            options[i].Data.CopyTo(payload.AsSpan(dataOffset));
            dataOffset += options[i].Data.Length;
        }

        payload[tableLength - 1] = Terminator;
        return payload;
    }
}
