namespace OpenVdi.Tests.Idiomatic;

public class VdiExceptionTests
{
    public static TheoryData<VdiResult> Failures => new(Enum.GetValues<VdiResult>().Where(r => r != VdiResult.NOERROR));

    [Theory]
    [MemberData(nameof(Failures))]
    public void Carries_the_code_as_result_and_hresult_and_names_it_in_the_message(VdiResult result)
    {
        var e = new VdiException(result);

        Assert.Equal(result, e.Result);
        Assert.Equal(unchecked((int)result), e.HResult);
        Assert.Contains(result.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains($"0x{(uint)result:X8}", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(VdiResult.VD_E_ABORT, "abort")]
    [InlineData(VdiResult.VD_E_TIMEOUT, "timeout transient")]
    [InlineData(VdiResult.VD_E_CLOSE, "closed")]
    [InlineData(VdiResult.VD_E_PROTOCOL, "usage")]
    [InlineData(VdiResult.VD_E_INVALID, "usage")]
    [InlineData(VdiResult.VD_E_NOTOPEN, "usage")]
    [InlineData(VdiResult.VD_E_OPEN, "usage")]
    [InlineData(VdiResult.VD_E_NOTSUPPORTED, "configuration")]
    [InlineData(VdiResult.VD_E_INSTANCE_NAME, "configuration")]
    [InlineData(VdiResult.VD_E_MEMORY, "resource transient")]
    [InlineData(VdiResult.VD_E_SECURITY, "resource")]
    [InlineData(VdiResult.VD_E_BUSY, "resource transient")]
    [InlineData(VdiResult.VD_E_QUEUE_FULL, "resource transient")]
    [InlineData(VdiResult.VD_E_UNEXPECTED, "unexpected")]
    [InlineData(VdiResult.VD_E_IO_ERROR, "")]
    public void Classifies_each_code(VdiResult result, string classes)
    {
        var e = new VdiException(result);
        var expected = classes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();

        Assert.Equal(expected.Contains("abort"), e.IsAbort);
        Assert.Equal(expected.Contains("timeout"), e.IsTimeout);
        Assert.Equal(expected.Contains("closed"), e.IsClosed);
        Assert.Equal(expected.Contains("usage"), e.IsUsageError);
        Assert.Equal(expected.Contains("configuration"), e.IsConfigurationError);
        Assert.Equal(expected.Contains("resource"), e.IsResourceError);
        Assert.Equal(expected.Contains("unexpected"), e.IsUnexpected);
        Assert.Equal(expected.Contains("transient"), e.IsTransient);
    }

    [Fact]
    public void A_message_from_the_caller_comes_first_and_the_code_stays_named()
    {
        var inner = new InvalidOperationException("cause");
        var e = new VdiException(VdiResult.VD_E_BUSY, "CreateEx of set 'x'", inner);

        Assert.StartsWith("CreateEx of set 'x': VD_E_BUSY (0x8077000F)", e.Message, StringComparison.Ordinal);
        Assert.Same(inner, e.InnerException);
    }

    [Fact]
    public void NOERROR_is_not_a_failure()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VdiException(VdiResult.NOERROR));
    }

    [Fact]
    public void The_standard_constructors_mean_an_unexpected_failure()
    {
        Assert.Equal(VdiResult.VD_E_UNEXPECTED, new VdiException().Result);
        Assert.Equal(VdiResult.VD_E_UNEXPECTED, new VdiException("m").Result);
        Assert.Equal(VdiResult.VD_E_UNEXPECTED, new VdiException("m", null).Result);
    }

    [Fact]
    public void ThrowIfFailed_throws_every_failure_naming_the_call_and_passes_NOERROR()
    {
        VdiResult.NOERROR.ThrowIfFailed();
        Assert.True(VdiResult.NOERROR.IsSuccess());
        Assert.False(VdiResult.VD_E_CLOSE.IsSuccess());

        using var client = new ClientVirtualDeviceSet();
        var e = Assert.Throws<VdiException>(() => client.SignalAbort().ThrowIfFailed());

        Assert.Equal(VdiResult.VD_E_PROTOCOL, e.Result);
        Assert.Contains("client.SignalAbort()", e.Message, StringComparison.Ordinal);

        Assert.True(Assert.Throws<VdiException>(() => VdiResult.VD_E_TIMEOUT.ThrowIfFailed()).IsTimeout);
        Assert.True(Assert.Throws<VdiException>(() => VdiResult.VD_E_CLOSE.ThrowIfFailed()).IsClosed);
    }

    [Fact]
    public void Describe_names_the_code_its_value_and_its_meaning()
    {
        Assert.Equal("NOERROR (0x00000000): success.", VdiResult.NOERROR.Describe());
        Assert.StartsWith("VD_E_ABORT (0x80770004): the virtual device set was aborted", VdiResult.VD_E_ABORT.Describe(), StringComparison.Ordinal);
    }
}
