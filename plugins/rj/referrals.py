"""The RJ referral form (scenario S6): what an RJ coordinator needs to decide whether a
restorative intervention is suitable."""

from django import forms


class RJReferralForm(forms.Form):
    offence = forms.CharField(label="Offence or incident", max_length=200)
    harm_caused = forms.CharField(label="Harm caused and who was harmed", widget=forms.Textarea(attrs={"rows": 3}))
    accepts_responsibility = forms.BooleanField(
        label="The person responsible accepts responsibility", required=False,
    )
    harmed_party_informed = forms.BooleanField(label="The harmed person has been told about RJ", required=False)
    rj_champion_consulted = forms.CharField(label="RJ champion consulted", max_length=120, required=False)
    risks = forms.CharField(label="Risks to participants or facilitators", required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
