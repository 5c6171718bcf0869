@echo off
rem 内网 Windows 机器上离线安装：只用 wheelhouse 目录中的软件包建立 .venv，不访问任何软件源。
rem 用法：deploy\install-offline-windows.bat [wheelhouse 目录]
rem 需要 Python 3.11（64 位）；wheelhouse 须在能上网的机器上用
rem   PLATFORM=win_amd64 PYVER=3.11 bash deploy/build-wheelhouse.sh wheelhouse
rem 生成（或在一台能上网的 Windows 上运行 pip download，见 README）。
chcp 65001 >nul
setlocal
cd /d "%~dp0.."
set "WHEELS=%~1"
if "%WHEELS%"=="" set "WHEELS=wheelhouse"
if not exist "%WHEELS%\" (
  echo 找不到软件包目录 %WHEELS%
  exit /b 2
)
set PIP_INDEX_URL=
set PIP_EXTRA_INDEX_URL=
set PIP_FIND_LINKS=
set "PIP_CONFIG_FILE=NUL"
if not exist ".venv\Scripts\python.exe" (
  py -3.11 -m venv .venv 2>nul || python -m venv .venv
)
if not exist ".venv\Scripts\python.exe" (
  echo 无法创建 .venv：请先安装 Python 3.11
  exit /b 1
)
".venv\Scripts\python.exe" -m pip install --disable-pip-version-check --no-index --find-links "%WHEELS%" -r requirements.txt || exit /b 1
".venv\Scripts\python.exe" -m scoring --help >nul || exit /b 1
echo 安装完成。首次使用请创建管理员：
echo   .venv\Scripts\python.exe -m scoring user add 用户名 --role 管理 --db 数据库文件
