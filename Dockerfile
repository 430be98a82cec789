FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# WeasyPrint (the dashboard's PDF) draws text with Pango, HarfBuzz and fontconfig: Debian's packages
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN DJANGO_SETTINGS_MODULE=nps_platform.settings.local python manage.py collectstatic --noinput
RUN useradd --create-home nps && mkdir -p /app/var && chown -R nps /app/var
USER nps
EXPOSE 8000
CMD ["python", "-m", "nps_platform.serve", "--host", "0.0.0.0", "--port", "8000"]
