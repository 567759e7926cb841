"""Health, risk and CLV models move from the scoring app, their tables and rows staying.

The tables keep their names (``Meta.db_table``): this migration only tells Django's state
that the models are here now; ``scoring.0007`` removes them from the scoring app's state
and carries their content types and audit labels over.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0007_account_country_known'),
        ('scoring', '0006_run_currency_and_rates'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ChurnSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('interval_multiple', models.FloatField(default=3.0, help_text='Silence longer than this many usual order intervals is churn.')),
                        ('min_silence_days', models.PositiveIntegerField(default=90, help_text='…but never less than this many days.')),
                        ('fallback_interval_days', models.FloatField(default=60.0, help_text='Usual interval assumed for an account with one order day.')),
                        ('revenue_drop', models.FloatField(blank=True, default=0.5, help_text='Trailing-12-month revenue down by more than this share on the year before is churn (empty: no revenue rule).', null=True)),
                        ('horizon_days', models.PositiveIntegerField(default=180, help_text='Risk is the probability of churn within this many days.')),
                    ],
                    options={
                        'verbose_name_plural': 'churn settings',
                        'db_table': 'scoring_churnsettings',
                        'ordering': ['-created_at'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('interval_multiple__gt', 0), ('fallback_interval_days__gt', 0), ('min_silence_days__gt', 0), ('horizon_days__gt', 0)), name='churn_settings_positive', violation_error_message='multiples, days and the horizon must be positive'), models.CheckConstraint(condition=models.Q(('revenue_drop__isnull', True), models.Q(('revenue_drop__gt', 0), ('revenue_drop__lt', 1)), _connector='OR'), name='churn_settings_drop_is_a_share', violation_error_message='the revenue drop is a share between 0 and 1')],
                    },
                ),
                migrations.CreateModel(
                    name='HealthScorecard',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('version', models.CharField(max_length=40, unique=True)),
                        ('definition', models.JSONField(help_text='Scorecard.to_dict() of tenure.insights.health.')),
                        ('is_active', models.BooleanField(default=False)),
                        ('note', models.TextField(blank=True)),
                    ],
                    options={
                        'db_table': 'scoring_healthscorecard',
                        'ordering': ['-created_at'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('is_active',), name='health_scorecard_one_active', violation_error_message='only one health scorecard version can be active')],
                    },
                ),
                migrations.CreateModel(
                    name='AccountHealth',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('as_of', models.DateField()),
                        ('health_score', models.FloatField(null=True)),
                        ('health_coverage', models.FloatField(null=True)),
                        ('health_contributions', models.JSONField(default=dict)),
                        ('health_measures', models.JSONField(default=dict)),
                        ('health_flags', models.JSONField(default=list)),
                        ('health_version', models.CharField(blank=True, max_length=40)),
                        ('risk', models.FloatField(help_text='Probability of churn within the horizon (calibrated).', null=True)),
                        ('risk_horizon_days', models.PositiveIntegerField(null=True)),
                        ('risk_drivers', models.JSONField(default=list)),
                        ('revenue_90d', models.FloatField(help_text='Net revenue in the last 90 days.', null=True)),
                        ('revenue_90d_prior_year', models.FloatField(help_text='Net revenue in the same 90 days a year earlier.', null=True)),
                        ('risk_model', models.CharField(blank=True, max_length=60)),
                        ('clv', models.DecimalField(decimal_places=2, max_digits=28, null=True, verbose_name='lifetime value')),
                        ('clv_months', models.PositiveSmallIntegerField(null=True)),
                        ('probability_alive', models.FloatField(null=True)),
                        ('expected_orders', models.FloatField(help_text='Orders expected over clv_months.', null=True)),
                        ('expected_order_value', models.DecimalField(decimal_places=2, max_digits=28, null=True)),
                        ('engaged_contacts', models.PositiveIntegerField(null=True)),
                        ('decision_makers_engaged', models.PositiveIntegerField(null=True)),
                        ('threads', models.PositiveIntegerField(null=True)),
                        ('churned', models.BooleanField(help_text='Meets the churn definition as of this date (no order history: empty).', null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='health', to='accounts.account')),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='health_rows', to='scoring.scoringrun')),
                    ],
                    options={
                        'verbose_name_plural': 'account health',
                        'db_table': 'scoring_accounthealth',
                        'ordering': ['-as_of', 'account_id'],
                        'indexes': [models.Index(fields=['account', '-as_of'], name='health_account_asof_idx'), models.Index(fields=['as_of', '-risk'], name='health_asof_risk_idx')],
                        'constraints': [models.UniqueConstraint(fields=('account', 'as_of'), name='health_one_per_account_and_date', violation_error_message='this account already has a health row for this date'), models.CheckConstraint(condition=models.Q(('health_score__isnull', True), models.Q(('health_score__gte', 0), ('health_score__lte', 100)), _connector='OR'), name='health_score_0_to_100', violation_error_message='a health score lies between 0 and 100'), models.CheckConstraint(condition=models.Q(('risk__isnull', True), models.Q(('risk__gte', 0), ('risk__lte', 1)), _connector='OR'), name='health_risk_is_probability', violation_error_message='risk is a probability between 0 and 1')],
                    },
                ),
            ],
        ),
    ]
