; Concord's Windows installer: concord.exe in Program Files, a Start-menu
; entry, the .concord file association and an uninstaller. build/dist.sh
; compiles it with makensis, defining VERSION (shown), WINVERSION (a.b.c.d),
; EXE (the built concord.exe), ICON (concord.ico) and OUTFILE.
Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"

!define APP "Concord"
!define PROGID "Concord.Study"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Concord"
; The WebView2 runtime's client id; a non-empty "pv" value below it means installed.
!define WEBVIEW2_KEY "Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP}"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
RequestExecutionLevel admin

VIProductVersion "${WINVERSION}"
VIFileVersion "${WINVERSION}"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP} installer"
VIAddVersionKey "CompanyName" "Concord developers"
VIAddVersionKey "LegalCopyright" "Concord developers"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\concord.exe"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${APP} needs a 64-bit (x64) version of Windows."
    Abort
  ${EndIf}
  SetRegView 64
  Call CheckWebView2
FunctionEnd

; Concord draws its window with Microsoft Edge WebView2, part of Windows 11
; and of current Windows 10. Where it is missing, say where to get it.
Function CheckWebView2
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\${WEBVIEW2_KEY}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\${WEBVIEW2_KEY}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    MessageBox MB_OKCANCEL|MB_ICONEXCLAMATION "${APP} needs the Microsoft Edge WebView2 Runtime, which this computer does not have.$\r$\n$\r$\nDownload the Evergreen Bootstrapper from Microsoft's page $\"Microsoft Edge WebView2$\" (developer.microsoft.com/microsoft-edge/webview2), run it, then start ${APP}.$\r$\n$\r$\nInstall ${APP} now anyway?" IDOK +2
    Abort
  ${EndIf}
FunctionEnd

Section "Install"
  SetOutPath "$INSTDIR"
  File "/oname=concord.exe" "${EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  SetShellVarContext all
  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\concord.exe"

  ; .concord study packages open with "concord.exe FILE".
  WriteRegStr HKLM "Software\Classes\.concord" "" "${PROGID}"
  WriteRegStr HKLM "Software\Classes\.concord" "Content Type" "application/x-concord-study"
  WriteRegStr HKLM "Software\Classes\${PROGID}" "" "Concord study package"
  WriteRegStr HKLM "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\concord.exe,0"
  WriteRegStr HKLM "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\concord.exe" "%1"'
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\concord.exe,0"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "Concord developers"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$SMPROGRAMS\${APP}.lnk"
  Delete "$INSTDIR\concord.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  ; Leave .concord alone if another program has taken it over since.
  ReadRegStr $0 HKLM "Software\Classes\.concord" ""
  ${If} $0 == "${PROGID}"
    DeleteRegKey HKLM "Software\Classes\.concord"
  ${EndIf}
  DeleteRegKey HKLM "Software\Classes\${PROGID}"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
SectionEnd
