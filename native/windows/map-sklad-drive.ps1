<#
.SYNOPSIS
    Maps a drive letter to a Sklad volume through the Windows WebDAV redirector (WebClient service).

.DESCRIPTION
    1. Sets the WebClient values the redirector needs for Sklad (HKLM, so this step runs elevated; when
       the current session is not, it starts itself elevated with -ConfigureOnly and waits):
         FileSizeLimitInBytes        50 MB by default: larger files fail with 0x800700DF. Raised to the
                                     DWORD maximum, 4 GiB - 1 byte (bigger files: use SFTP or 'sklad put').
         FileAttributesLimitInBytes  1 MB by default: the most PROPFIND answer bytes the redirector accepts
                                     for one folder; folders of a few thousand files exceed it and show
                                     as empty or "not accessible". Raised to 50 MB.
         BasicAuthLevel              1 by default: Basic only over HTTPS. Sklad authenticates with Basic,
                                     so a plain-HTTP URL needs 2 (Basic over HTTP too). Left alone for HTTPS.
       The WebClient service then restarts (the values are read at service start) and is set to start
       automatically, so the drive comes back after a reboot.
    2. Maps the drive with 'net use' in the current, non-elevated session, so Explorer sees it (a drive
       mapped in an elevated session is invisible to the normal Explorer). net use asks for the password.

.EXAMPLE
    .\map-sklad-drive.ps1 -Server 192.168.1.10 -Volume main -Drive S -User buh -Https

.EXAMPLE
    .\map-sklad-drive.ps1 -Server 127.0.0.1 -Port 7780     # the agent's own WebDAV on this PC (plain HTTP)
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string] $Server,
    [int] $Port = 7780,
    [string] $Volume = 'main',
    [ValidatePattern('^[D-Zd-z]$')] [string] $Drive = 'S',
    [string] $User = 'admin',
    [switch] $Https,
    [switch] $ConfigureOnly
)
$ErrorActionPreference = 'Stop'

$key = 'HKLM:\SYSTEM\CurrentControlSet\Services\WebClient\Parameters'
$wanted = [ordered]@{
    FileSizeLimitInBytes       = [uint32]4294967295
    FileAttributesLimitInBytes = [uint32]50000000
}
if (-not $Https) { $wanted.BasicAuthLevel = [uint32]2 }

function Test-Elevated {
    $id = [Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()
    return $id.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}

function Test-Configured {
    $current = Get-ItemProperty -Path $key -ErrorAction SilentlyContinue
    foreach ($name in $wanted.Keys) {
        if ($null -eq $current -or $null -eq $current.$name) { return $false }
        # REG_DWORD reads back as a signed Int32: compare the bit patterns
        if ([BitConverter]::ToUInt32([BitConverter]::GetBytes([int32]$current.$name), 0) -ne $wanted[$name]) { return $false }
    }
    return $true
}

function Set-WebClient {
    if (-not (Get-Service -Name WebClient -ErrorAction SilentlyContinue)) {
        throw 'The WebClient service is missing. On Windows Server: Install-WindowsFeature WebDAV-Redirector, then reboot.'
    }
    foreach ($name in $wanted.Keys) {
        # a DWORD above 2^31 must be written as the Int32 with the same bits
        $bits = [BitConverter]::ToInt32([BitConverter]::GetBytes($wanted[$name]), 0)
        New-ItemProperty -Path $key -Name $name -PropertyType DWord -Value $bits -Force | Out-Null
        Write-Host "  $name = $($wanted[$name])"
    }
    Set-Service -Name WebClient -StartupType Automatic
    Restart-Service -Name WebClient -Force
    Write-Host 'WebClient configured and restarted.'
}

if ($ConfigureOnly) {
    Set-WebClient
    return
}

if (-not (Test-Configured)) {
    if (Test-Elevated) {
        Set-WebClient
    } else {
        Write-Host 'Setting the WebClient registry values needs administrator rights; confirm the UAC prompt.'
        $argv = @('-NoProfile', '-ExecutionPolicy', 'Bypass', '-File', "`"$PSCommandPath`"",
                  '-Server', $Server, '-ConfigureOnly')
        if ($Https) { $argv += '-Https' }
        $p = Start-Process -FilePath 'powershell.exe' -ArgumentList $argv -Verb RunAs -Wait -PassThru
        if ($p.ExitCode -ne 0 -or -not (Test-Configured)) { throw 'configuring the WebClient service failed' }
    }
}

$scheme = if ($Https) { 'https' } else { 'http' }
$url = "${scheme}://${Server}:${Port}/${Volume}"
Write-Host "Mapping ${Drive}: to $url as $User"
# '*' makes net use prompt for the password instead of taking it on the command line.
& net.exe use "${Drive}:" $url '*' "/user:$User" '/persistent:yes'
if ($LASTEXITCODE -ne 0) { throw "net use failed with exit code $LASTEXITCODE" }
