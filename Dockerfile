FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN DJANGO_SETTINGS_MODULE=nps_platform.settings.local python manage.py collectstatic --noinput
RUN useradd --create-home nps && mkdir -p /app/var && chown -R nps /app/var
USER nps
EXPOSE 8000
CMD ["gunicorn", "nps_platform.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
